"""Prompt templates for the LLM (``{name}_{language}.txt``), shipped as package data."""
