"""English: the texts every frame shows."""

DECIMAL = "."

TEXTS = {
    # titles and the step counter
    "title_steps": "Gradient descent on {model}:  λ = {lam},  η = {lr}{schedule}",
    "title_lam": "The minimiser as λ grows, {model}:  λ from {lo} to {hi}",
    "title_breaks": ":  |,  | (",
    "step": "step {k} / {total}",
    # the caption: what became of each run
    "join": "  ·  ",
    "parts": ", ",
    "diverges": "{label}: diverges, each step overshoots further",
    "zero_since": "{label}: exactly 0 since step {step}",
    "bounces": "{label}: bounces between {lo} and {hi}, never stays at 0",
    "settles": "{label}: settles at {value}",
    "near_zero": "{label}: within {gap} of 0, not exactly 0",
    "heading": "{label}: at {value}, heading for {star}",
    "now": "{label}: w = {value}",
    "w_now": "w{j} = {value}",
    "outcome": "{label}: {parts}",
    "w_zero_since": "w{j} exactly 0 since step {step}",
    "w_near_zero": "w{j} within {gap} of 0, not exactly 0",
    "w_to": "w{j} → {star}",
    "w_heading": "w{j} at {value}, heading for {star}",
    "zero_from": "{label}: exactly 0 from λ = {lam}",
    "w_zero_from": "w{j} exactly 0 from λ = {lam}",
    "beyond": " (past this range)",
    "path_at": "{label} at λ = {lam}: {value}",
    # panels
    "loss_title": "objective F = L + penalty",
    "data_only": "L(w), data only",
    "weight_title": "weight w by step",
    "weights_title": "weights w1, w2 by step",
    "step_axis": "step",
    "band": "{label}: predicted band",
    "one_band": "predicted band",
    "fit_title": "fitted line y = w·x",
    "data": "data",
    "push_title": "push on w (−gradient)",
    "pushes_title": "push on each weight (−gradient)",
    "push_axis": "grey: data · colour: penalty",
    "gap_title": "objective gap F(w) − F*",
    "floor": "floor: rounding",
    "plane_title": "loss contours and penalty balls",
    "least_squares": "least squares",
    "ball_l1": "L1 diamond",
    "ball_l2": "L2 circle",
    "ball_elasticnet": "elastic-net ball",
    "curves_title": "F = L + λ·penalty  (dashed: L alone)",
    "path_title": "the minimiser w*(λ)",
    "paths_title": "the path: w1*(λ), w2*(λ)",
    "knot": "{name} = 0",
    "nonzero": "nonzero weights ({label}): {counts}",
}

TERMS = {}  # labels are English already

PRESETS = {}  # the summaries in presets.py are English
