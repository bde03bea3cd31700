"""Fieldwork with experts and the study store: studies, experts with one-time links, judgments
saved one cell at a time, organizer sessions (:mod:`panel.store`)."""
