"""Fact Desk matching engine.

Given an incoming claim, find the verified facts and past rebuttals that
address it: normalisation, transliteration, embeddings, FAISS, lexical and
fuzzy signals, fusion and evaluation.  Knows nothing about users or workflow.
"""
