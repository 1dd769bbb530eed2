"""A risk model in the terms a clinical unit lives with (lesson 11).

A model's AUROC says how well it ranks patients; a unit needs to know whether its risks can be taken at their word
(calibration), and what an alert rule built on it would do on a working day: how many alerts, how many of them true,
how many deaths missed, how many patients a clinician must evaluate for each true alert, and how often the same
patient is alerted again when the model scores more than once.

- ``calibration`` and ``calibration_curve``: the calibration slope and intercept (Van Calster et al., BMC Med
  2019;17:230) and a flexible calibration curve, with intervals; ``calibration_table`` the same by risk group.
- ``recalibrate``: logistic recalibration, cross-fitted so that no stay's new risk was learned from its own outcome.
- ``alert_burden``, ``burden_by``: alerts per day, true and false, sensitivity and positive predictive value, per
  threshold or per group (a unit), with counts.
- ``net_benefit`` and ``net_benefit_interval``: the decision curve (Vickers & Elkin, Med Decis Making
  2006;26:565-574) and its bootstrap interval (Vickers et al., BMC Med Inform Decis Mak 2008;8:53).
- ``rescoring_alerts``: the alerts of a model that scores a stay several times, fired every time, once per stay, or
  with a snooze.
- ``admissions_per_day``: Little's law, beds x occupancy / mean length of stay.

The functions take outcomes ``y`` (1 = the event, here death in hospital) and risks in [0, 1], one per stay, as the
out-of-fold predictions from ``heartdata.mortality.cross_validate`` are. Paired inputs are paired by index: two
pandas Series that hold the same stays in another order are aligned, Series that hold different stays are refused
(``DataError``), and arrays or lists, which have no index, are paired by position and must have the same length.
Every bad input raises ``heartdata.errors.DataError`` naming the argument, what was wrong and what to do.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError
from .stats import proportion_ci

#: Risks are clipped to [EPS, 1 - EPS] before taking their log-odds (a risk of exactly 0 or 1 has none).
EPS = 1e-6


# ------------------------------------------------------------------------------------------------ inputs
def _column(value, name: str, where: str):
    """A 1-D Series or array from ``value``; a table or a nested list is refused."""
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise DataError(where, f"{name} is a table of {value.shape[1]} columns, not one column",
                            f"Pass one column as {name} (a Series, e.g. table['{name}']).")  # fmt: skip
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        if value.index.has_duplicates:
            dup = value.index[value.index.duplicated()].unique()[:5].tolist()
            raise DataError(where, f"{name} has stays that appear more than once in its index ({dup})",
                            "Pass one value per stay (index RecordID, each once).")  # fmt: skip
        return value
    if isinstance(value, (str, bytes)) or np.isscalar(value) or value is None:
        raise DataError(where, f"{name} is {type(value).__name__} {value!r:.40}, not one value per stay",
                        f"Pass {name} as a Series, an array or a list, one value per stay.")  # fmt: skip
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise DataError(where, f"{name} cannot be read as one value per stay",
                        f"Pass {name} as a Series, an array or a list.") from None  # fmt: skip
    if arr.ndim != 1:
        raise DataError(where, f"{name} has shape {arr.shape}, not one value per stay",
                        f"Pass {name} flat: one value per stay (e.g. predict_proba(X)[:, 1]).")  # fmt: skip
    return arr


def _aligned(where: str, **columns) -> tuple[dict, pd.Index | None]:
    """The named columns paired stay by stay: Series by index (reordered to the first Series' order when they hold
    the same stays; refused when they do not), arrays by position (lengths must agree). Returns the columns as
    Series or arrays in one order, and the index of the first Series (None when there is none)."""
    cols = {name: _column(v, name, where) for name, v in columns.items()}
    series = {name: v for name, v in cols.items() if isinstance(v, pd.Series)}
    index = next(iter(series.values())).index if series else None
    for name, v in series.items():
        if v.index.equals(index):
            continue
        if len(v.index) == len(index) and v.index.sort_values().equals(index.sort_values()):
            cols[name] = v.reindex(index)
            continue
        first = next(iter(series))
        only_here = v.index.difference(index)
        only_first = index.difference(v.index)
        raise DataError(
            where,
            f"{name} and {first} are indexed by different stays ({len(only_here)} only in {name}, "
            f"{len(only_first)} only in {first})",
            f"Pass {name} and {first} for the same stays (e.g. {name}.reindex({first}.index) after checking that no "
            "stay is missing): pairing them by position would give stays another stay's value.",
        )
    lengths = {name: len(v) for name, v in cols.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k} {n}" for k, n in lengths.items())
        raise DataError(where, f"the inputs have different lengths ({shown})", "Pass one value of each per stay.")
    if not next(iter(lengths.values())):
        raise DataError(where, "no stays were given", "Pass at least one stay.")
    return cols, index


def _outcomes(y, where: str) -> np.ndarray:
    try:
        out = np.asarray(pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="raise"), dtype=float)
    except (TypeError, ValueError):
        raise DataError(where, "the outcomes y are not numbers",
                        "Pass the 0/1 outcome column (e.g. In-hospital_death).") from None  # fmt: skip
    if not np.isin(out, [0, 1]).all():
        bad = sorted(set(out[~np.isin(out, [0, 1])].tolist()), key=str)[:5]
        raise DataError(where, f"the outcomes y must be 0 or 1, and some are not ({bad})",
                        "Use the 0/1 outcome column (e.g. In-hospital_death), with no stay missing.")  # fmt: skip
    return out


def _risks(risk, where: str, name: str = "risk") -> np.ndarray:
    try:
        out = np.asarray(pd.to_numeric(pd.Series(np.asarray(risk, dtype=object)), errors="raise"), dtype=float)
    except (TypeError, ValueError):
        raise DataError(where, f"{name} holds values that are not numbers",
                        "Pass predicted probabilities (predict_proba(X)[:, 1]).") from None  # fmt: skip
    if np.isnan(out).any() or (out < 0).any() or (out > 1).any():
        raise DataError(where, f"{name} must be probabilities between 0 and 1, with none missing",
                        "Pass predicted probabilities (predict_proba(X)[:, 1]), not scores or labels.")  # fmt: skip
    return out


def _pair(where: str, y, risk) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    cols, index = _aligned(where, y=y, risk=risk)
    return _outcomes(cols["y"], where), _risks(cols["risk"], where), index


def _thresholds(thresholds, where: str = "thresholds") -> np.ndarray:
    try:
        t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    except (TypeError, ValueError):
        raise DataError(where, "thresholds must be numbers", "Use thresholds such as 0.1, 0.2, 0.3.") from None
    if t.ndim != 1 or t.size == 0 or np.isnan(t).any() or (t <= 0).any() or (t >= 1).any():
        raise DataError(where, "every threshold must be a risk strictly between 0 and 1",
                        "Use thresholds such as 0.1, 0.2, 0.3.")  # fmt: skip
    return t


def _positive(value, name: str, where: str, upper: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise DataError(where, f"{name} must be a number, got {type(value).__name__} {value!r:.30}",
                        f"Give {name} as a number.")  # fmt: skip
    v = float(value)
    if not (v > 0 and math.isfinite(v)) or (upper is not None and v > upper):
        rng = f"in (0, {upper:g}]" if upper is not None else "positive"
        raise DataError(where, f"{name} must be {rng}, got {value!r}", f"Give {name} {rng}.")
    return v


def _level(level, where: str) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise DataError(where, f"level must be between 0 and 1, got {level!r}", "Use level=0.95 for a 95% interval.")
    return float(level)


def _logit(risk: np.ndarray) -> np.ndarray:
    p = np.clip(risk, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _both_classes(y: np.ndarray, where: str) -> None:
    if y.min() == y.max():
        raise DataError(where, f"every stay has the same outcome ({int(y[0])}): calibration needs both outcomes",
                        "Pass stays with both outcomes (deaths and survivors).")  # fmt: skip


# ------------------------------------------------------------------------------------------------ a unit
#: The mean stay in the unit, in days, assumed for patients still there at hour 48 (the Challenge data has no ICU length
#: of stay: its Length_of_stay runs to the end of the hospital stay). In MIMIC-III, the same hospital's later database,
#: the median ICU stay of the adult units is 2.1-2.3 days and their upper quartile 4.0-4.9 days (Johnson et al., Sci
#: Data 2016;3:160035, Table 2): stays that have already lasted 48 hours are the longer half, whose median lies near
#: that upper quartile, and a skewed stay's mean exceeds its median. Five days is a round figure for that; a unit
#: replaces it with its own count of patients still in the unit at hour 48.
ASSUMED_ICU_STAY_DAYS = 5.0


def admissions_per_day(beds: float, mean_stay_days: float, occupancy: float = 1.0) -> float:
    """Patients admitted per day to a unit of ``beds`` beds: beds x occupancy / mean length of stay.

    This is Little's law for a unit in steady state: on average, as many patients leave as arrive. The mean stay
    must be the stay *in the unit*: a longer stay (for example one counted to the end of the hospital stay) gives
    too few admissions; beds taken by patients the data leaves out, or empty beds (occupancy below 1), give too many.
    """
    where = "admissions_per_day(beds, mean_stay_days, occupancy)"
    beds = _positive(beds, "beds", where)
    mean_stay_days = _positive(mean_stay_days, "mean_stay_days", where)
    occupancy = _positive(occupancy, "occupancy", where, upper=1.0)
    return beds * occupancy / mean_stay_days


# ------------------------------------------------------------------------------------------------ calibration
@dataclass(frozen=True)
class Calibration:
    """Calibration of risks against outcomes (Van Calster et al., BMC Med 2019;17:230).

    ``slope``: the coefficient of logit(risk) in a logistic regression of the outcome on it; 1 when the risks are as
    spread as they should be, below 1 when they are too extreme (high risks too high, low ones too low).
    ``intercept``: calibration-in-the-large, the intercept of that regression with the slope fixed at 1 (logit(risk)
    as an offset); 0 when the risks are right on average, below 0 when they are too high. Each with its Wald
    interval (``*_low``, ``*_high``). ``observed`` and ``expected`` are the events and the sum of the risks.
    """

    n: int
    events: int
    expected: float
    slope: float
    slope_low: float
    slope_high: float
    intercept: float
    intercept_low: float
    intercept_high: float
    level: float

    @property
    def observed(self) -> int:
        return self.events


def _glm(y, X, offset=None):
    # from their own modules: statsmodels.api would import the whole of statsmodels (most of a second)
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return GLM(y, X, family=Binomial(), offset=offset).fit()


def calibration(y, risk, level: float = 0.95) -> Calibration:
    """The calibration slope and intercept of ``risk`` for the 0/1 outcomes ``y``, with ``level`` intervals."""
    where = "calibration(y, risk)"
    y, risk, _ = _pair(where, y, risk)
    level = _level(level, where)
    _both_classes(y, where)
    lp = _logit(risk)
    alpha = 1 - level
    slope_fit = _glm(y, np.column_stack([np.ones_like(lp), lp]))
    s_low, s_high = slope_fit.conf_int(alpha)[1]
    int_fit = _glm(y, np.ones((len(y), 1)), offset=lp)
    i_low, i_high = int_fit.conf_int(alpha)[0]
    return Calibration(
        n=len(y), events=int(y.sum()), expected=float(risk.sum()),
        slope=float(slope_fit.params[1]), slope_low=float(s_low), slope_high=float(s_high),
        intercept=float(int_fit.params[0]), intercept_low=float(i_low), intercept_high=float(i_high), level=level,
    )  # fmt: skip


def calibration_table(y, risk, groups: int = 10, level: float = 0.95) -> pd.DataFrame:
    """Stays in ``groups`` groups of equal size by predicted risk (deciles by default): per group the number of
    stays, the mean predicted risk, the events observed, the observed rate and its Wilson interval."""
    where = "calibration_table(y, risk, groups)"
    y, risk, _ = _pair(where, y, risk)
    level = _level(level, where)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or not 1 <= groups <= len(y):
        raise DataError(where, f"groups must be a whole number from 1 to the stays' number ({len(y)}), not {groups!r}",
                        "Use groups=10 for deciles of predicted risk.")  # fmt: skip
    order = np.argsort(risk, kind="stable")
    group = np.empty(len(y), dtype=int)
    group[order] = np.arange(len(y)) * int(groups) // len(y)
    frame = pd.DataFrame({"group": group, "risk": risk, "y": y})
    table = frame.groupby("group").agg(n=("y", "size"), predicted=("risk", "mean"), events=("y", "sum"))
    table["events"] = table["events"].astype(int)
    table["observed"] = table["events"] / table["n"]
    low, high = proportion_ci(table["events"], table["n"], level)
    table["low"], table["high"] = np.asarray(low), np.asarray(high)
    return table.reset_index()


def calibration_curve(y, risk, grid=None, knots: int = 4, level: float = 0.95) -> pd.DataFrame:
    """A flexible calibration curve: the observed risk as a smooth function of the predicted one, with a pointwise
    ``level`` interval.

    A logistic regression of ``y`` on a cubic spline of logit(risk) with ``knots`` knots at quantiles of the risks
    (a restricted, "flexible" calibration curve as Van Calster et al. 2019 recommend), evaluated at the risks of
    ``grid`` (default: 50 points between the 1st and 99th percentiles of ``risk``). Returns columns ``risk``,
    ``observed``, ``low``, ``high``.
    """
    from sklearn.preprocessing import SplineTransformer

    where = "calibration_curve(y, risk, grid)"
    y, risk, _ = _pair(where, y, risk)
    level = _level(level, where)
    _both_classes(y, where)
    if isinstance(knots, bool) or not isinstance(knots, (int, np.integer)) or not 2 <= knots <= 10:
        raise DataError(where, f"knots must be a whole number from 2 to 10, got {knots!r}", "Use knots=4.")
    lp = _logit(risk)
    if grid is None:
        grid = np.linspace(*np.percentile(risk, [1, 99]), 50)
    grid = _risks(_column(grid, "grid", where), where, "grid")
    spline = SplineTransformer(n_knots=int(knots), degree=3, knots="quantile", extrapolation="linear",
                               include_bias=False)  # fmt: skip
    basis = spline.fit_transform(lp[:, None])
    fit = _glm(y, np.column_stack([np.ones(len(y)), basis]))
    at = np.column_stack([np.ones(len(grid)), spline.transform(_logit(grid)[:, None])])
    eta = at @ fit.params
    se = np.sqrt(np.einsum("ij,jk,ik->i", at, fit.cov_params(), at))
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    return pd.DataFrame({"risk": grid, "observed": _expit(eta), "low": _expit(eta - z * se),
                         "high": _expit(eta + z * se)})  # fmt: skip


def recalibrate(y, risk, folds: int = 5, seed: int = 0):
    """Logistic recalibration, cross-fitted: new risk = expit(a + b x logit(risk)), with a and b fitted on the other
    ``folds`` - 1 parts of the stays (stratified by outcome, shuffled with ``seed``), so that no stay's new risk
    was learned from its own outcome. Returns the new risks, a Series with ``y``'s or ``risk``'s index when one
    of them has one, else an array.

    Recalibration changes the risks, not their order within a part: it cannot change how well they rank stays.
    """
    from sklearn.model_selection import StratifiedKFold

    where = "recalibrate(y, risk, folds)"
    y, risk, index = _pair(where, y, risk)
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 2:
        raise DataError(where, f"folds must be a whole number of at least 2, got {folds!r}", "Use folds=5.")
    events = int(y.sum())
    if min(events, len(y) - events) < folds:
        raise DataError(where, f"{events} events and {len(y) - events} non-events cannot fill {folds} folds",
                        "Use fewer folds, or more stays.")  # fmt: skip
    lp = _logit(risk)
    out = np.empty(len(y))
    splitter = StratifiedKFold(n_splits=int(folds), shuffle=True, random_state=seed)
    for train, test in splitter.split(lp[:, None], y):
        fit = _glm(y[train], np.column_stack([np.ones(len(train)), lp[train]]))
        out[test] = _expit(fit.params[0] + fit.params[1] * lp[test])
    return pd.Series(out, index=index, name="risk") if index is not None else out


# ------------------------------------------------------------------------------------------------ alerts
def alert_burden(y, risk, thresholds, per_day: float) -> pd.DataFrame:
    """What an alert at ``risk >= threshold`` would do, per day, for a unit admitting ``per_day`` such patients.

    One row per threshold: the share of patients flagged, alerts per day, true and false alerts per day,
    deaths missed per day, sensitivity, positive predictive value (PPV), false alerts per true alert, and the number
    of patients a clinician evaluates for each true alert (number needed to evaluate, 1 / PPV: the true one
    included). Counts from the data are kept beside the rates (``flagged``, ``true``, ``events``, ``n``).
    """
    where = "alert_burden(y, risk, thresholds, per_day)"
    y, risk, _ = _pair(where, y, risk)
    per_day = _positive(per_day, "per_day", where)
    rows = []
    n, events = len(y), int(y.sum())
    for t in _thresholds(thresholds, where):
        flagged = risk >= t
        tp = int((flagged & (y == 1)).sum())
        fp = int((flagged & (y == 0)).sum())
        rows.append({
            "threshold": t, "n": n, "events": events, "flagged": tp + fp, "true": tp,
            "flagged_share": (tp + fp) / n,
            "alerts_per_day": (tp + fp) / n * per_day,
            "true_alerts_per_day": tp / n * per_day,
            "false_alerts_per_day": fp / n * per_day,
            "missed_per_day": (events - tp) / n * per_day,
            "sensitivity": tp / events if events else np.nan,
            "ppv": tp / (tp + fp) if tp + fp else np.nan,
            "false_per_true": fp / tp if tp else np.inf,
            "number_needed_to_evaluate": (tp + fp) / tp if tp else np.inf,
        })  # fmt: skip
    return pd.DataFrame(rows)


def burden_by(y, risk, groups, threshold: float, level: float = 0.95) -> pd.DataFrame:
    """An alert at ``risk >= threshold``, judged within each group (a unit, say): per group the stays, events,
    stays flagged, true alerts, sensitivity and positive predictive value, each with its Wilson ``level`` interval.
    ``y``, ``risk`` and ``groups`` are paired by index (or by position, for arrays)."""
    where = "burden_by(y, risk, groups, threshold)"
    cols, _ = _aligned(where, y=y, risk=risk, groups=groups)
    y, risk = _outcomes(cols["y"], where), _risks(cols["risk"], where)
    level = _level(level, where)
    t = float(_thresholds(threshold, where)[0])
    g = pd.Series(np.asarray(cols["groups"], dtype=object))
    if g.isna().any():
        raise DataError(where, f"{int(g.isna().sum())} stays have no group", "Give every stay a group (e.g. its unit).")
    frame = pd.DataFrame({"group": g, "y": y, "flag": risk >= t})
    frame["true"] = frame["flag"] & frame["y"].eq(1)
    table = frame.groupby("group", sort=True).agg(n=("y", "size"), events=("y", "sum"), flagged=("flag", "sum"),
                                                  true=("true", "sum")).astype(int)  # fmt: skip
    table["sensitivity"] = table["true"] / table["events"].where(table["events"] > 0)
    table["ppv"] = table["true"] / table["flagged"].where(table["flagged"] > 0)
    for name, denominator in (("sensitivity", "events"), ("ppv", "flagged")):
        ok = table[denominator] > 0
        low, high = proportion_ci(table.loc[ok, "true"], table.loc[ok, denominator], level)
        table[f"{name}_low"] = pd.Series(np.asarray(low), index=table.index[ok])
        table[f"{name}_high"] = pd.Series(np.asarray(high), index=table.index[ok])
    table.insert(0, "threshold", t)
    return table.reset_index()


def net_benefit(y, risk, thresholds) -> pd.DataFrame:
    """Decision curve: net benefit of the model, of treating (alerting on) everyone, and of no one.

    Net benefit at threshold probability p_t is TP/n - FP/n x p_t / (1 - p_t): true alerts, less false
    alerts weighted by the odds at which a clinician would just act (Vickers & Elkin 2006). Treat-all is
    prevalence - (1 - prevalence) x p_t / (1 - p_t); treat-none is 0.
    """
    where = "net_benefit(y, risk, thresholds)"
    y, risk, _ = _pair(where, y, risk)
    t = _thresholds(thresholds, where)
    n = len(y)
    prevalence = y.mean()
    odds = t / (1 - t)
    flagged = risk[:, None] >= t[None, :]
    tp = (flagged & (y[:, None] == 1)).sum(axis=0)
    fp = (flagged & (y[:, None] == 0)).sum(axis=0)
    return pd.DataFrame({
        "threshold": t,
        "model": tp / n - fp / n * odds,
        "treat_all": prevalence - (1 - prevalence) * odds,
        "treat_none": 0.0,
    })  # fmt: skip


def net_benefit_interval(y, risk, thresholds, n_boot: int = 500, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """The decision curve with bootstrap percentile intervals (Vickers et al., BMC Med Inform Decis Mak 2008;8:53).

    The stays are resampled ``n_boot`` times (the model is not refitted: the interval is the uncertainty of judging
    these risks on this many stays, not of refitting the model). Columns: ``threshold``, ``model`` with
    ``model_low``/``model_high``, ``treat_all`` with its interval, and ``advantage``, the model's net benefit minus
    the better of the two defaults (alert on everyone, on no one), with its interval from the same resamples:
    where that interval lies above 0 the model beats both defaults.
    """
    where = "net_benefit_interval(y, risk, thresholds, n_boot)"
    y, risk, _ = _pair(where, y, risk)
    t = _thresholds(thresholds, where)
    level = _level(level, where)
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise DataError(where, f"n_boot must be a whole number of at least 10, got {n_boot!r}", "Use n_boot=500.")
    n = len(y)
    odds = t / (1 - t)
    flagged = risk[:, None] >= t[None, :]
    tp = (flagged & (y[:, None] == 1)).astype(float)
    fp = (flagged & (y[:, None] == 0)).astype(float)
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // n)
    model, everyone = [], []
    for start in range(0, int(n_boot), chunk):
        b = min(chunk, int(n_boot) - start)
        drawn = rng.integers(0, n, (b, n)) + n * np.arange(b)[:, None]
        w = np.bincount(drawn.ravel(), minlength=b * n).reshape(b, n).astype(float)
        model.append((w @ tp - (w @ fp) * odds) / n)
        prev = (w @ y) / n
        everyone.append(prev[:, None] - (1 - prev[:, None]) * odds)
    model, everyone = np.vstack(model), np.vstack(everyone)
    advantage = model - np.maximum(everyone, 0.0)
    point = net_benefit(y, risk, t)
    q = [50 * (1 - level), 50 * (1 + level)]
    out = point[["threshold", "model", "treat_all"]].copy()
    out["model_low"], out["model_high"] = np.percentile(model, q, axis=0)
    out["treat_all_low"], out["treat_all_high"] = np.percentile(everyone, q, axis=0)
    out["advantage"] = point["model"] - np.maximum(point["treat_all"], 0.0)
    out["advantage_low"], out["advantage_high"] = np.percentile(advantage, q, axis=0)
    return out


def rescoring_alerts(risks: pd.DataFrame, threshold: float, snooze_hours: float | None = None) -> pd.DataFrame:
    """Alerts of a model that scores each stay at several times (``risks``: one row per stay, one column per
    scoring time in hours since admission, in increasing order), under three rules:

    - ``every score``: an alert each time a score is at or above ``threshold``;
    - ``snooze``: after an alert, the same stay is not alerted again for ``snooze_hours`` (a later score at or above
      the threshold fires again once the snooze is over); left out when ``snooze_hours`` is None;
    - ``once per stay``: only the first score at or above the threshold fires.

    One row per rule: ``alerts``, ``stays_alerted``, ``alerts_per_stay_alerted`` and ``stays`` (all stays scored).
    A missing score (NaN) is a time the stay was not scored.
    """
    where = "rescoring_alerts(risks, threshold, snooze_hours)"
    if not isinstance(risks, pd.DataFrame) or risks.shape[1] < 1 or len(risks) == 0:
        raise DataError(where, "risks must be a table: one row per stay, one column per scoring time",
                        "Pass a DataFrame whose columns are the hours at which each stay was scored.")  # fmt: skip
    try:
        hours = np.asarray(risks.columns, dtype=float)
    except (TypeError, ValueError):
        raise DataError(where, "the columns of risks must be scoring times in hours",
                        "Name the columns by the hour of each score (e.g. 12, 24, 36, 48).") from None  # fmt: skip
    if (np.diff(hours) <= 0).any():
        raise DataError(where, f"the scoring times must increase from column to column, got {hours.tolist()}",
                        "Sort the columns by time (risks.sort_index(axis=1)).")  # fmt: skip
    for column in risks.columns:  # every score given must be a probability; NaN means not scored
        _risks(risks[column].dropna(), where, f"risks[{column!r}]")
    values = risks.to_numpy(dtype=float)
    t = float(_thresholds(threshold, where)[0])
    above = np.nan_to_num(values, nan=-1.0) >= t
    rules = {"every score": above.sum(axis=1)}
    if snooze_hours is not None:
        snooze = _positive(snooze_hours, "snooze_hours", where)
        fired = np.zeros(len(values), dtype=int)
        quiet_until = np.full(len(values), -np.inf)
        for j, hour in enumerate(hours):
            fire = above[:, j] & (hour >= quiet_until)
            fired += fire
            quiet_until = np.where(fire, hour + snooze, quiet_until)
        rules[f"snooze {snooze:g} h"] = fired
    rules["once per stay"] = above.any(axis=1).astype(int)
    rows = []
    for rule, per_stay in rules.items():
        alerted = int((per_stay > 0).sum())
        rows.append({"rule": rule, "alerts": int(per_stay.sum()), "stays_alerted": alerted, "stays": len(values),
                     "alerts_per_stay_alerted": per_stay.sum() / alerted if alerted else np.nan})  # fmt: skip
    return pd.DataFrame(rows)
