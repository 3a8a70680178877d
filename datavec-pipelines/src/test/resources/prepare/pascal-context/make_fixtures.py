#!/usr/bin/env python3
"""Writes the MAT-file fixtures of PascalContextPreparationTest and MatFileTest with SciPy's savemat (run once; the
outputs are committed). Each file holds PASCAL-Context's variable LabelMap (uint16, H x W) as the release does."""
import numpy as np
from scipy.io import savemat

# H=3, W=4: unlabelled 0, pc59 classes (2 bag, 9 bed, 458 wood...), other classes (1 accordion, 3, 100), 255 monkey, 459.
A = np.array([[0, 2, 9, 459],
              [18, 1, 255, 458],
              [3, 0, 44, 100]], dtype=np.uint16)
# H=2, W=5, stored compressed, after two other variables (a string and a 1x2 uint8 whose data fits a small element).
B = np.array([[22, 22, 0, 65, 400],
              [459, 1, 2, 2, 0]], dtype=np.uint16)

savemat("2008_000001.mat", {"LabelMap": A}, do_compression=False)
savemat("2008_000002.mat", {"note": "fixture", "x": np.array([[7, 8]], dtype=np.uint8), "LabelMap": B}, do_compression=True)
# 200 x 200 of one value: about 80 KB inflated from a few hundred bytes (the reader's inflation bound).
savemat("zeros_200x200.mat", {"LabelMap": np.full((200, 200), 7, dtype=np.uint16)}, do_compression=True)
