"""Checks for the exercises of lesson 00 (welcome): expected values come from the data."""

from __future__ import annotations

from functools import cache

from .. import challenge2012, mitdb, ptbxl
from ..feedback import check_number, exercise


@cache
def _stays_descriptors():
    stays = challenge2012.load_stays()
    return stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]


@exercise
def n_patients(answer):
    meta = ptbxl.load_metadata()
    return check_number(
        answer,
        meta["patient_id"].nunique(),
        mistakes=[
            (
                len(meta),
                "that is the number of ECGs (rows). Some patients had several ECGs; "
                "count distinct values of `patient_id`.",
            )
        ],
        what="a whole number of patients",
        hint="Which column identifies a patient?",
    )


@exercise
def death_rate(answer):
    died = challenge2012.load_outcomes()["In-hospital_death"]
    return check_number(
        answer,
        died.mean(),
        mistakes=[
            (died.sum(), "that is the number of deaths; divide by the number of stays to get a fraction."),
            (died.mean() * 100, "that is a percentage; the exercise asks for a fraction between 0 and 1."),
            (1 - died.mean(), "that is the fraction who survived to leave hospital."),
        ],
        what="a fraction between 0 and 1",
        hint="Use the `In-hospital_death` column (1 = died in hospital).",
    )


@exercise
def n_beats(answer):
    ann = mitdb.load_annotations()
    is_beat = ann["symbol"].isin(mitdb.BEAT_SYMBOLS)
    return check_number(
        answer,
        is_beat.sum(),
        mistakes=[
            (
                len(ann),
                "you counted every annotation, but not every annotation is a beat. "
                "Look at the `description` of the symbols that are not N, A or V.",
            ),
            (
                ann["symbol"].eq("N").sum(),
                "you counted only the normal beats (N). Premature beats are heartbeats too: count every symbol "
                "that marks a beat.",
            ),
        ],
        what="a whole number of beats",
        hint="Count the annotations whose symbol marks a heartbeat.",
    )


@exercise
def n_height_missing(answer):
    desc = _stays_descriptors()
    height = desc.loc[desc["Parameter"].eq("Height"), "Value"]
    return check_number(
        answer,
        height.eq(-1).sum(),
        mistakes=[
            (
                height.isna().sum(),
                "you counted empty (NaN) cells, but this dataset writes -1 "
                "when a value was not recorded. Count the -1 values instead.",
            )
        ],
        what="a whole number of stays",
        hint="Select the Height rows of the descriptors and count the values that mean 'not recorded'. "
        "Implausible heights (such as 431.8 cm) were recorded, wrongly: they do not count here.",
    )
