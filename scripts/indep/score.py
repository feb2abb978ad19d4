#!/usr/bin/env python3
"""score.py OUTDIR : compare OUTDIR/*/res/findings.json with truth.json; print table, totals, misses/FPs."""
import json, os, sys, ipaddress

def norm(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a

def pairs_for(beacons, host, server, names):
    out = []
    for p in beacons:
        if p['host'] != host:
            continue
        if (p['server'] and norm(p['server']) == server) or (p['domain'] and p['domain'] in names):
            out.append(p)
    return out

KEYS = ['score', 'beat_score', 'base_score', 'interval', 'hit_rate', 'size', 'coverage', 'presence', 'count', 'prevalence',
        'prevalence_factor', 'shared_schedule', 'platform_share', 'resolver', 'connections', 'checkins', 'period_s', 'jitter', 'missed']

def fmt(p):
    return ' '.join('%s=%s' % (k, p.get(k)) for k in KEYS) + (' dst=%s' % (p['server'] or p['domain']))

def main(out, verbose=True):
    T = dict(tp_s=0, fp_s=0, fn_s=0, tp_v=0, fp_v=0, fn_v=0, status_bad=0, stat_bad=0)
    rows, notes = [], []
    for sc in sorted(os.listdir(out)):
        d = os.path.join(out, sc)
        tp = os.path.join(d, 'truth.json'); fp = os.path.join(d, 'res', 'findings.json')
        if not os.path.exists(tp):
            continue
        truth = json.load(open(tp))
        if not os.path.exists(fp):
            rows.append((sc, truth['hosts'], truth['hours'], 'RUN FAILED', '', '', '', ''))
            notes.append('%s: no findings.json (see %s/res.stderr)' % (sc, d))
            continue
        f = json.load(open(fp))
        bj = os.path.join(d, 'res', 'beacons.json')
        beacons = json.load(open(bj))['pairs'] if os.path.exists(bj) else []
        tsrv = {norm(k): v for k, v in truth['servers'].items()}
        fsrv = {norm(s['ip']): s for s in f['servers']}
        tvic = {(s, norm(h)): st for s, v in tsrv.items() for h, st in v['victims'].items()}
        fvic = {(s, norm(v['ip'])): ('controlled' if v['controlled'] else 'attempted') for s, x in fsrv.items() for v in x['victims']}
        tps = len(set(tsrv) & set(fsrv)); fps = len(set(fsrv) - set(tsrv)); fns = len(set(tsrv) - set(fsrv))
        tpv = len(set(tvic) & set(fvic)); fpv = len(set(fvic) - set(tvic)); fnv = len(set(tvic) - set(fvic))
        for k, a in zip(['tp_s', 'fp_s', 'fn_s', 'tp_v', 'fp_v', 'fn_v'], [tps, fps, fns, tpv, fpv, fnv]):
            T[k] += a
        P = lambda tp, fp: '%.2f' % (tp / (tp + fp)) if tp + fp else '-'
        R = lambda tp, fn: '%.2f' % (tp / (tp + fn)) if tp + fn else '-'
        # status (controlled/attempted) of correctly found victims
        for k in set(tvic) & set(fvic):
            if tvic[k] != fvic[k]:
                T['status_bad'] += 1
                notes.append('%s: victim %s of %s is %s in truth but %s in findings' % (sc, k[1], k[0], tvic[k], fvic[k]))
        # statistics: recompute from truth using the countries the tool assigned (only if all true servers found)
        stat_ok = '-'
        if not fns:
            exp = {}
            cc = {s: fsrv[s]['country'] for s in tsrv}
            vc = {}
            for s in fsrv.values():
                for v in s['victims']:
                    vc[norm(v['ip'])] = v['country']
            rowsx = {}
            for (s, h), st in tvic.items():
                key = (cc[s], vc.get(h, ''))
                r = rowsx.setdefault(key, [set(), set(), set()])
                if st == 'controlled':
                    r[0].add(s); r[1].add(h)
                else:
                    r[2].add(h)
            for key, r in rowsx.items():
                exp[key] = (len(r[0]), len(r[1]), len(r[2] - r[1]))
            got = {(x['server_country'], x['victim_country']): (x['servers'], x['hosts'], x['attempted_hosts']) for x in f['statistics']}
            stat_ok = 'exact' if exp == got else 'DIFF'
            if exp != got:
                T['stat_bad'] += 1
                notes.append('%s: statistics expected %s got %s' % (sc, exp, got))
        desc = 'benign-only' if truth['benign_only'] else '; '.join('%s[%d v]' % (v['label'], len(v['victims'])) for v in tsrv.values())
        rows.append((sc, truth['hosts'], truth['hours'], desc, '%s/%s' % (P(tps, fps), R(tps, fns)), '%s/%s' % (P(tpv, fpv), R(tpv, fnv)),
                     '%d/%d/%d' % (tps, fps, fns), '%d/%d/%d' % (tpv, fpv, fnv), stat_ok))
        # diagnostics
        for s in sorted(set(tsrv) - set(fsrv)):
            names = [tsrv[s].get('name')] + tsrv[s].get('names', [])
            notes.append('%s: MISSED server %s (%s)' % (sc, s, tsrv[s]['label']))
            for h in tsrv[s]['victims']:
                ps = pairs_for(beacons, norm(h), s, names)
                notes.append('    host %s: %s' % (h, ' | '.join(fmt(p) for p in ps) if ps else 'no beacons.json pair'))
        for (s, h) in sorted(set(tvic) - set(fvic)):
            if s in fsrv:
                names = [tsrv[s].get('name')] + tsrv[s].get('names', [])
                ps = pairs_for(beacons, h, s, names)
                notes.append('%s: MISSED victim %s of found server %s: %s' % (sc, h, s, ' | '.join(fmt(p) for p in ps) if ps else 'no pair'))
        for s in sorted(set(fsrv) - set(tsrv)):
            x = fsrv[s]
            notes.append('%s: FALSE POSITIVE server %s (%s, domains %s, %d victims) reasons: %s' % (
                sc, s, x['country'], x['domains'], len(x['victims']), ' / '.join('%s %.3f: %s' % (r['detector'], r['score'], r['summary']) for r in x['reasons'])[:900]))
            for v in x['victims'][:4]:
                ps = pairs_for(beacons, norm(v['ip']), s, x['domains'])
                for p in ps[:2]:
                    notes.append('    %s' % fmt(p))
        for (s, h) in sorted(set(fvic) - set(tvic)):
            if s in tsrv:
                notes.append('%s: FALSE victim %s of true server %s' % (sc, h, s))
    print('%-20s %5s %4s  %-11s %-11s %-9s %-9s %-6s  %s' % ('scenario', 'hosts', 'hrs', 'srv P/R', 'vic P/R', 'srv tp/fp/fn', 'vic tp/fp/fn', 'stats', 'content'))
    for r in rows:
        if len(r) == 9:
            print('%-20s %5s %4s  %-11s %-11s %-12s %-12s %-6s  %s' % (r[0], r[1], r[2], r[4], r[5], r[6], r[7], r[8], r[3]))
        else:
            print('%-20s %5s %4s  %s' % (r[0], r[1], r[2], r[3]))
    ps = T['tp_s'] / max(1, T['tp_s'] + T['fp_s']); rs = T['tp_s'] / max(1, T['tp_s'] + T['fn_s'])
    pv = T['tp_v'] / max(1, T['tp_v'] + T['fp_v']); rv = T['tp_v'] / max(1, T['tp_v'] + T['fn_v'])
    print('TOTAL servers: tp=%d fp=%d fn=%d  P=%.3f R=%.3f | victims: tp=%d fp=%d fn=%d  P=%.3f R=%.3f | status mismatches=%d | statistics mismatches=%d' % (
        T['tp_s'], T['fp_s'], T['fn_s'], ps, rs, T['tp_v'], T['fp_v'], T['fn_v'], pv, rv, T['status_bad'], T['stat_bad']))
    if verbose:
        print('\n'.join(notes))

if __name__ == '__main__':
    main(sys.argv[1], "-q" not in sys.argv)
