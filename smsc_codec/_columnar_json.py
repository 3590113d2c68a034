from __future__ import annotations
def read_json_group(group, bodies, indices):
    return [], []
