#!/usr/bin/env python3
"""Writes the index fixtures of Ade20k847PreparationTest (run once; the outputs are committed): dicts shaped like
ADE20K_2021_17_01's index_ade20k.pkl (folder and filename lists, NumPy arrays beside them), pickled with protocol 2
(NumPy's bytes go through _codecs.encode) and protocol 4, and one that would run code when unpickled."""
import os
import pickle
import numpy as np

index = {
    "filename": ["ADE_train_00000001.jpg", "ADE_val_00000001.jpg", "ADE_val_00000002.jpg", "ADE_frame_00000003.jpg"],
    "folder": ["ADE20K_2021_17_01/images/ADE/training/urban/street", "ADE20K_2021_17_01/images/ADE/validation/urban/street",
               "ADE20K_2021_17_01/images/ADE/validation/urban/street", "ADE20K_2021_17_01/images/ADE/training/home"],
    "objectnames": np.array(["wall", "floor", "tree"], dtype=object),
    "objectPresence": np.arange(12, dtype=np.int32).reshape(3, 4),
    "wordnet_level1": np.array([1.5, 2.5]),
    "scene": ["street", "street", "street", "home"],
}
with open("index_protocol2.pkl", "wb") as f:
    pickle.dump(index, f, protocol=2)
with open("index_protocol4.pkl", "wb") as f:
    pickle.dump(index, f, protocol=4)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


with open("index_hostile.pkl", "wb") as f:
    pickle.dump({"filename": [Evil()], "folder": ["x"]}, f, protocol=4)
