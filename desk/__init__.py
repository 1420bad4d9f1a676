"""Fact Desk application core: domain, store, workflow, intake, publishing, CLI."""
