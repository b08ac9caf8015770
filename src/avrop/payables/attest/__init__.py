"""Attest with authority: who may attest and why, segregation of duties, hold, dispute with the supplier,
split and re-coding with an audit of every change. The models are imported into ``avrop.payables.models``."""
