#!/usr/bin/env python3
"""sweep.py C2SCOPE OUTDIR: detection rate of long-period jittery beacons (24 h, 30 hosts, 3 victims per run, 4 seeds)."""
import json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen
binp, out = sys.argv[1], sys.argv[2]
rows = []
for period in (3600, 7200):
    for jt, j in (('uniform', 0.30), ('cs', 0.30), ('gauss', 0.30)):
        for missed in (0.0, 0.1, 0.2):
            found_v = tot_v = found_s = 0
            for seed in range(4):
                d = os.path.join(out, 'p%d_%s_m%02d_s%d' % (period, jt, missed * 100, seed))
                os.makedirs(d, exist_ok=True)
                w = gen.World(1000 + seed * 7 + period + int(missed * 100) + len(jt), gen.DAY0, 24, '10.0.0.2')
                w.add_hosts(30, '10.50.0.0/24')
                w.benign(browse=False, irregular=0)
                ip = '185.99.%d.%d' % (seed + 1, 10 + int(missed * 100))
                w.c2(ip, w.rng.sample(w.hosts, 3), 'tls', 443, period, j, jt, missed, name='c2-sweep.net', start_frac=(0, 0.02))
                w.cap.write(os.path.join(d, 'traffic.pcap'), w.t1)
                subprocess.run(['nice', '-n', '10', binp, 'analyze', os.path.join(d, 'traffic.pcap'), '--out', os.path.join(d, 'res'),
                                '--home-net', '10.50.0.0/24'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                f = json.load(open(os.path.join(d, 'res', 'findings.json')))
                fv = {v['ip'] for s in f['servers'] if s['ip'] == ip for v in s['victims']}
                tv = set(w.truth['servers'][ip]['victims'])
                found_v += len(tv & fv); tot_v += len(tv); found_s += 1 if fv else 0
                fps = [s['ip'] for s in f['servers'] if s['ip'] != ip]
                if fps:
                    print('  FP in', d, fps)
            rows.append((period, jt, j, missed, found_s, found_v, tot_v))
            print('period=%5ds jitter=%-7s %.0f%% missed=%3.0f%%: servers found %d/4, victims found %d/%d' % (period, jt, j * 100, missed * 100, found_s, found_v, tot_v), flush=True)
