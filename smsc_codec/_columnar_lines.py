from __future__ import annotations
def read_line_group(group, bodies, indices):
    return [], []
