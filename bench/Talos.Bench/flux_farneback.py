# OpenCV Farneback + warp baseline for ./bench/run flux (Debian python3-opencv; benchmark only).
# usage: /usr/bin/python3 flux_farneback.py A.png B.png MID.png FLOW.flo  -> prints seconds per inbetween
import sys, time
import cv2
import numpy as np

a, b = cv2.imread(sys.argv[1]), cv2.imread(sys.argv[2])
ga, gb = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY), cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)
params = dict(pyr_scale=0.5, levels=5, winsize=15, iterations=3, poly_n=5, poly_sigma=1.2, flags=0)
start = time.perf_counter()
f = cv2.calcOpticalFlowFarneback(ga, gb, None, **params)
h, w = ga.shape
xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
# middle frame: sample A half a step back and B half a step forward along the flow at each pixel, average
wa = cv2.remap(a, xs - 0.5 * f[..., 0], ys - 0.5 * f[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
wb = cv2.remap(b, xs + 0.5 * f[..., 0], ys + 0.5 * f[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
mid = ((wa.astype(np.float32) + wb.astype(np.float32)) * 0.5).round().astype(np.uint8)
elapsed = time.perf_counter() - start
cv2.imwrite(sys.argv[3], mid)
with open(sys.argv[4], "wb") as fh:
    np.array([202021.25], np.float32).tofile(fh)
    np.array([w, h], np.int32).tofile(fh)
    f.astype(np.float32).tofile(fh)
print(f"{elapsed:.4f}")
