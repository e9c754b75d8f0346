"""Make third-party libraries work with no network and for Swedish text.

unstructured 0.27 pings a telemetry endpoint when imported, prints a usage notice, and downloads the
English spaCy model ``en_core_web_sm`` on first use. Offline the download raises, and English
heuristics are wrong for Swedish anyway. We opt out of both and give unstructured a rule-based
Swedish pipeline (``spacy.blank("sv")`` + ``sentencizer``) that needs no model files.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

# These libraries read their opt-outs only from the environment, at import time, so this is the one
# place the project sets environment variables: defaults only, never overriding the operator.
_OPT_OUTS = {
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def opt_out_of_network() -> None:
    for key, value in _OPT_OUTS.items():
        os.environ.setdefault(key, value)


@lru_cache(maxsize=1)
def swedish_nlp() -> Any:
    import spacy

    nlp = spacy.blank("sv")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 2_000_000
    return nlp


@lru_cache(maxsize=1)
def prepare_unstructured() -> None:
    """Import unstructured with telemetry off and its spaCy model swapped for a blank Swedish one."""
    opt_out_of_network()
    from unstructured.nlp import tokenize

    tokenize._get_nlp = swedish_nlp  # the module looks the loader up at call time
    tokenize._load_spacy_model = swedish_nlp
