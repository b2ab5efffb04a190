#!/usr/bin/env python3
"""Derives the traces of BENCHMARKS.md's "Traces derived from the shared ones" from the shared
traces: short histories, other spacings, shifted or relative time, outages cut out, steps in the
load, sums and repeats. Deterministic (fixed seeds).

usage: benchmarks/derived-traces.py SHARED_TRACES_DIR OUT_DIR
"""
import datetime as dt
import os
import random
import sys

D = dt.timedelta
SRC, OUT = sys.argv[1], sys.argv[2]


def rd(name):
    rows = []
    for line in open(os.path.join(SRC, name)):
        if line[:1].isdigit():
            t, v = line.strip().split(',')
            rows.append((dt.datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ')
                         .replace(tzinfo=dt.timezone.utc), float(v)))
    return rows


def wr(name, rows, epoch=False):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write('timestamp,value\n')
        for t, v in rows:
            stamp = '%d' % t if epoch else t.strftime('%Y-%m-%dT%H:%M:%SZ')
            f.write(stamp + ',' + repr(v) + '\n')


def first(rows, days):
    return [r for r in rows if r[0] < rows[0][0] + D(days=days)]


def without(rows, cuts):
    return [r for r in rows if not any(a <= r[0] < b for a, b in cuts)]


def outages(rng, start, minutes, n):
    cuts = []
    for _ in range(n):
        s = start + D(minutes=rng.randint(0, minutes))
        cuts.append((s, s + D(minutes=rng.randint(10, 120))))
    return cuts


os.makedirs(OUT, exist_ok=True)
nasa = rd('nasa-http-1995-07-requests-per-minute.csv')
t0 = nasa[0][0]
for d in (1, 2, 4):
    wr('nasa-first%dd.csv' % d, first(nasa, d))
by5 = {}
for t, v in nasa:
    by5.setdefault(t.replace(minute=t.minute // 5 * 5), []).append(v)
n5 = sorted(by5.items())
wr('nasa-5min.csv', [(t, sum(v) / len(v)) for t, v in n5])
rng = random.Random(1)  # up to 40 s late, 30 % of the samples left out
wr('nasa-irregular.csv',
   [(t + D(seconds=rng.randint(0, 40)), v) for t, v in nasa if rng.random() > 0.3])
wr('nasa-relative.csv', [(int((t - t0).total_seconds()), v) for t, v in nasa], epoch=True)
wr('nasa-shift3h.csv', [(t + D(hours=3), v) for t, v in nasa])
wr('nasa-gaps.csv', without(nasa, outages(
    random.Random(2), t0, int((nasa[-1][0] - t0).total_seconds() // 60), 20)))
wr('nasa-step3x.csv', [(t, v * 3 if t >= t0 + D(days=10) else v) for t, v in nasa])
span = nasa[-1][0] - t0 + D(minutes=1)
wr('nasa-twice.csv', nasa + [(t + span, v) for t, v in nasa])
wr('google-first2d.csv', first(rd('google2019-avg-cpu-5min.csv'), 2))
fb = rd('nab-tweets-fb.csv')
wr('fb-hold30s.csv', [(t + D(seconds=30 * k), v) for t, v in fb for k in range(10)])
top_fb, top_n5 = max(v for _, v in fb), max(sum(v) / len(v) for _, v in n5)
wr('nasa-plus-fb.csv', [(t, sum(v) / len(v) + fb[i][1] * top_n5 / top_fb)
                        for i, (t, v) in enumerate(n5) if i < len(fb)])
wr('nyc-first4d.csv', first(rd('nab-knowncause-nyc-taxi.csv'), 4))
wr('elb-first1d.csv', first(rd('nab-aws-elb-request-count-8c0756.csv'), 1))
rng = random.Random(3)  # each minute's value held for 6 rows 10 s apart, ±10 % noise
wr('nasa4d-10s-noise.csv', [(t + D(seconds=10 * k), max(0, v * (1 + rng.gauss(0, 0.1))))
                            for t, v in nasa if t < t0 + D(days=4) for k in range(6)])
wr('ac20cd-first4d.csv', first(rd('nab-aws-ec2-cpu-utilization-ac20cd.csv'), 4))
wr('257a54-first2d.csv', first(rd('nab-aws-ec2-network-in-257a54.csv'), 2))
e = rd('nab-aws-rds-cpu-utilization-e47b3b.csv')
per_minute = []
for (t1, v1), (t2, v2) in zip(e, e[1:]):
    n = int((t2 - t1).total_seconds() // 60)
    per_minute += [(t1 + D(minutes=k), v1 + (v2 - v1) * k / n) for k in range(n)]
wr('e47b3b-1min.csv', per_minute + [e[-1]])
ko, aapl = rd('nab-tweets-ko.csv'), rd('nab-tweets-aapl.csv')
wr('ko-plus-aapl.csv', [(ko[i][0], ko[i][1] + aapl[i][1]) for i in range(min(len(ko), len(aapl)))])
c = rd('nab-aws-ec2-cpu-utilization-825cc2.csv')
cuts = outages(random.Random(5), c[0][0], 14 * 1440, 8)
wr('825cc2-shift-gaps.csv', [(t + D(days=3, hours=5), v) for t, v in without(c, cuts)])
iio = rd('nab-aws-iio-us-east-1-i-a2eb1cd9-networkin.csv')
span = iio[-1][0] - iio[0][0] + D(minutes=5)
wr('iio-twice.csv', iio + [(t + span, v) for t, v in iio])
r = rd('nab-aws-rds-cpu-utilization-cc0c53.csv')
wr('cc0c53-step3x.csv', [(t, v * 3 if t >= r[0][0] + D(days=7) else v) for t, v in r])
g = rd('google2019-avg-cpu-5min.csv')
wr('google-7d-epoch.csv', [(int((t - g[0][0]).total_seconds()), v) for t, v in first(g, 7)],
   epoch=True)
wr('ko-hold10s.csv', [(t + D(seconds=10 * k), v) for t, v in ko for k in range(30)])
