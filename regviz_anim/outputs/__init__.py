"""Writing outputs so that nothing is lost: one transaction per render (:mod:`.transaction`), a lock
per target (:mod:`.locks`), and working folders that a killed process does not leave behind for
long (:mod:`.scratch`). Knows files, nothing of what is in them."""
