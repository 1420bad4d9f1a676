"""Fixtures for the matching-engine tests."""
from __future__ import annotations

import pytest

from index.engine import Doc


@pytest.fixture(scope="session")
def library() -> list[Doc]:
    """Near-miss pairs: another district, amount, scheme and date."""
    return [
        Doc(1, "दावा गलत है कि उत्तर प्रदेश में 31 मार्च तक ई-केवाईसी न कराने वालों के राशन कार्ड 1 अप्रैल से रद्द होंगे।"),
        Doc(2, "अलवर में मतदान की तारीख 25 नवंबर से बदलकर 28 नवंबर होने का दावा गलत है।"),
        Doc(3, "भरतपुर में मतदान की तारीख 25 नवंबर से बदलकर 28 नवंबर होने का दावा गलत है।"),
        Doc(4, "पीएम किसान की अगली किस्त ₹4,000 होने का दावा गलत है; किस्त ₹2,000 ही रहेगी।"),
        Doc(5, "उज्ज्वला योजना में ₹4,000 की सब्सिडी मिलने का दावा गलत है।"),
        Doc(6, "The claim that electricity bills in Jaipur will double from 1 May is false.", kind="rebuttal"),
        Doc(7, "The claim that electricity bills in Jaipur will double from 1 June is false.", kind="rebuttal"),
        Doc(8, "CBSE class 10 maths exam date has not changed; the datesheet is unchanged."),
    ]
