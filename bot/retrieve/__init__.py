"""Retrieval: lexical and semantic candidates for a query, with the evidence for each."""
