"""Python counterpart of bench/onnx-io-child.ts: one onnx.load + onnx.save in a fresh process, one JSON line out.

    idle                 baseline: the interpreter with onnx imported, nothing read
    roundtrip IN OUT     onnx.load's steps (file read, then parse), then onnx.save's (serialize, then file write),
                         once, timed one by one
    warm IN OUT          the same repeated in one process after warm-up; medians

ru_maxrss is read right after loading (the peak of a process that only reads) and again at the end.
"""
import json
import os
import statistics
import resource
import sys
import time

import onnx

KIB = 1024


def max_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB  # Linux reports KiB


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def roundtrip_once(src, dst):
    # What onnx.load and onnx.save do for a model without external data, step by step so each can be timed.
    t0 = time.perf_counter()
    with open(src, 'rb') as f:
        data = f.read()
    t1 = time.perf_counter()
    model = onnx.load_model_from_string(data)
    t2 = time.perf_counter()
    del data
    rss_after_read, max_rss_read = rss(), max_rss()
    t3 = time.perf_counter()
    out = model.SerializeToString()
    t4 = time.perf_counter()
    with open(dst, 'wb') as f:
        f.write(out)
    t5 = time.perf_counter()
    ms = lambda a, b: (b - a) * 1e3
    return {'readMs': ms(t0, t2), 'fileReadMs': ms(t0, t1), 'decodeMs': ms(t1, t2),
            'writeMs': ms(t3, t5), 'encodeMs': ms(t3, t4), 'fileWriteMs': ms(t4, t5),
            'rssAfterRead': rss_after_read, 'maxRssRead': max_rss_read, 'maxRss': max_rss()}


def roundtrip_warm(src, dst, warm_up=3, reps=9):
    runs = []
    for i in range(warm_up + reps):
        if os.path.exists(dst):
            os.remove(dst)
        r = roundtrip_once(src, dst)
        if i >= warm_up:
            runs.append(r)
    return {k: statistics.median_low([r[k] for r in runs]) for k in runs[0]}


mode = sys.argv[1]
if mode == 'idle':
    print(json.dumps({'rss': rss(), 'maxRss': max_rss()}))
elif mode == 'roundtrip':
    print(json.dumps(roundtrip_once(sys.argv[2], sys.argv[3])))
elif mode == 'warm':
    print(json.dumps(roundtrip_warm(sys.argv[2], sys.argv[3])))
else:
    raise SystemExit(f'unknown mode {mode}')
