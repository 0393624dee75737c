"""Each preset shows what it exists to show; the Python API validates like the command line."""
import numpy as np
import pytest

import regviz_anim as ra
from regviz_anim.presets import PRESETS


def runs(preset):
    return {r.label: r for r in ra.simulate(preset=preset).runs}


def test_seed_l1_lands_on_zero_at_step_24_and_l2_settles():
    r = runs("seed")
    assert r["L1"].zero_step == 24 and r["L2"].w[-1] == pytest.approx(0.20060, abs=5e-6)


def test_chatter_subgradient_bounces_in_its_band_while_proximal_lands():
    r = runs("chatter")
    sub, prox = r["L1 · subgradient"], r["L1 · proximal"]
    assert sub.zero_step is None and sub.band is not None
    assert np.all((sub.w[40:] >= sub.band[0] - 1e-12) & (sub.w[40:] <= sub.band[1] + 1e-12))
    assert prox.zero_step is not None and prox.w[-1] == 0.0


def test_below_threshold_l1_stops_short_of_zero():
    r = runs("below-threshold")["L1"]
    assert r.zero_step is None and r.w_star > 0 and r.w[-1] == pytest.approx(r.w_star, abs=1e-5)


def test_diminishing_step_closes_in_on_zero():
    sub = runs("diminishing-step")["L1 · subgradient"]
    constant = runs("chatter")["L1 · subgradient"]
    assert np.abs(sub.w[-100:]).max() < 0.25 * np.abs(constant.w[-100:]).max()
    assert runs("diminishing-step")["L1 · proximal"].w[-1] == 0.0


def test_divergence_is_marked_and_an_error_without_permission():
    r = runs("divergence")["L2"]
    assert r.diverged and abs(r.w[-1]) > 100 * abs(r.w[0])
    with pytest.raises(ra.ConfigError, match="stable only for lr < 1/"):
        ra.simulate(preset="divergence", allow_divergence=False)


def test_elasticnet_sits_between_l1_and_l2():
    r = runs("elasticnet")
    assert r["L1"].w[-1] == 0.0 < r["Elastic net"].w[-1] < r["L2"].w[-1]
    assert r["Elastic net"].w[-1] == pytest.approx(r["Elastic net"].w_star, abs=1e-9)


def test_every_preset_is_tested():
    assert set(PRESETS) == {"seed", "chatter", "below-threshold", "diminishing-step", "divergence", "elasticnet",
                            "diamond", "correlated", "diamond-small-lambda",  # test_two_weights
                            "lambda-path", "lasso-path",  # test_lambda_path
                            "tibshirani", "diabetes-path", "many-sparse",  # test_many_weights
                            "sgd-l1", "adam-vs-adamw", "momentum",  # test_optimizers
                            "how-often", "how-often-many"}  # test_trials, test_room


def test_api_options_are_validated_like_the_command_line():
    with pytest.raises(ra.ConfigError, match=r"^lam=-1: must be a finite number >= 0 and <= 1e\+06$"):
        ra.simulate(lam=-1)
    with pytest.raises(ra.ConfigError, match="is not an option"):
        ra.simulate(lamda=0.3)
    sim = ra.simulate(reg=["l1"], l1_update=("subgradient", "proximal"), x_range=(-2, 2))
    assert [r.update for r in sim.runs] == ["subgradient", "proximal"]


def test_render_returns_the_written_file(tmp_path):
    result = ra.render(tmp_path / "a.gif", frames=5, size=(320, 180), lam=0.2)
    assert result.path.is_file() and result.frames == 5 and result.size == (320, 180)


def test_animation_displays_inline_without_writing_into_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    anim = ra.animate(frames=5, size=(320, 180))
    html = anim._repr_html_()
    assert html.startswith("<video") and "data:video/mp4;base64," in html
    assert anim.data[4:8] == b"ftyp"  # an MP4 file
    gif = ra.animate(frames=5, size=(320, 180), format="gif")
    assert gif.data[:6] == b"GIF89a" and 'src="data:image/gif;base64,' in gif._repr_html_()
    assert list(tmp_path.iterdir()) == []
    anim.save(tmp_path / "kept.mp4")
    assert (tmp_path / "kept.mp4").is_file()


def test_animate_rejects_a_gif_frame_rate_it_cannot_store():
    with pytest.raises(ra.ConfigError, match="^fps=30: a GIF plays exactly only at"):
        ra.animate(format="gif", fps=30)


def test_api_names_survive_importing_every_submodule():
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(ra.__path__):
        if module.name != "__main__":  # that one runs the command line
            importlib.import_module(f"regviz_anim.{module.name}")
    assert all(callable(getattr(ra, name)) for name in ("simulate", "render", "animate"))
    assert not any(isinstance(getattr(ra, name), type(ra)) for name in ra.__all__)
