#!/usr/bin/env python3
"""check-dump.py - what an emulated chip holds after a test, against an image.

usage: check-dump.py [--holds] [--like DUMP2] [--fuse NAME=VALUE]... DUMP IMAGE

DUMP is what `ispwiz-emu --dump DUMP` left: DUMP.hex (the flash) and
DUMP.json (fuses, lock, counters).  IMAGE is an Intel HEX file.  Checks that
  - the flash of DUMP is exactly IMAGE: the same bytes where either has a
    byte that is not 0xFF (erased); with --holds only that it holds IMAGE's
    bytes, whatever else it holds;
  - with --like DUMP2: so is DUMP2's, and DUMP2 has DUMP's fuses and lock
    (two clients that did the same job left the same chip);
  - with --fuse NAME=VALUE: DUMP's fuse NAME reads VALUE ("hfuse=0xD8").
Says what differs and exits 1 when anything does.
"""
import argparse
import json
import sys


def load_hex(path):
    """address -> byte, from Intel HEX data (00) and extended linear (04) records."""
    mem, base = {}, 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith(':'):
                continue
            b = bytes.fromhex(line[1:])
            n, addr, kind = b[0], b[1] << 8 | b[2], b[3]
            if kind == 0:
                for i in range(n):
                    mem[base + addr + i] = b[4 + i]
            elif kind == 4:
                base = (b[4] << 8 | b[5]) << 16
    return mem


def differences(flash, image, holds):
    """The addresses where `flash` is not as `image` wants it."""
    bad = {a for a, v in image.items() if flash.get(a, 0xFF) != v}
    if not holds:
        bad |= {a for a, v in flash.items() if v != 0xFF and a not in image}
    return sorted(bad)


def main():
    ap = argparse.ArgumentParser(description='Check an emulator dump against an image.')
    ap.add_argument('--holds', action='store_true', help='the flash holds IMAGE, maybe more')
    ap.add_argument('--like', metavar='DUMP2', help='DUMP2 is the same chip')
    ap.add_argument('--fuse', action='append', default=[], metavar='NAME=VALUE')
    ap.add_argument('dump')
    ap.add_argument('image')
    args = ap.parse_args()
    image = load_hex(args.image)
    ok = True
    for dump in [args.dump] + ([args.like] if args.like else []):
        bad = differences(load_hex(dump + '.hex'), image, args.holds)
        if bad:
            print('%s: flash differs from %s (%d bytes, first at 0x%05X)'
                  % (dump, args.image, len(bad), bad[0]))
            ok = False
    if args.like or args.fuse:
        with open(args.dump + '.json') as f:
            state = json.load(f)
    if args.like:
        with open(args.like + '.json') as f:
            other = json.load(f)
        if state['fuses'] != other['fuses'] or state['lock'] != other['lock']:
            print('fuses/lock differ: %s %s %s, %s %s %s'
                  % (args.dump, state['fuses'], state['lock'],
                     args.like, other['fuses'], other['lock']))
            ok = False
    for spec in args.fuse:
        name, _, value = spec.partition('=')
        if state['fuses'].get(name) != value:
            print('%s: %s is %s, not %s' % (args.dump, name, state['fuses'].get(name), value))
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
