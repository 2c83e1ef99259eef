#!/usr/bin/env python3
"""gen-hex.py - the Intel HEX test images of the shell tests and benches.

usage: gen-hex.py [--record N] [--crlf] [--ela-first] SEGMENT... > FILE.hex

SEGMENT is ADDR:SIZE:FILL[@START] (numbers as in C: 0x7000, 4096), written
in the order given; what lies between segments is a gap in the image.
FILL says what byte i of the segment is:
  V             V (0..255) everywhere
  ramp=M,A      (i * M + A) & 0xFF
  random=SEED   the i-th of Python's random.randrange(256) after
                random.seed(SEED)
and @START makes the segment begin at byte START of that pattern (default
0), so that segments can share one stream: `0:28672:random=5@4096
0x7000:4096:random=5` is an application followed by the bootloader made
first.

Each segment goes out in records of N data bytes (default 16) from its
start; a record never crosses a 64 KiB boundary, and an Extended Linear
Address record (type 04) comes before the first record of each new 64 KiB
window (with --ela-first also before the very first record, window 0
included).  Then the end-of-file record.  Lines end in LF, or CR LF with
--crlf.  Written independently of ispwiz's own HEX writer, so that the two
can be compared.
"""
import argparse
import random
import sys


def number(text):
    return int(text, 0)


def pattern(fill):
    """A function from the byte index to the byte, for FILL."""
    kind, _, arg = fill.partition('=')
    if not arg:
        value = number(kind)
        if not 0 <= value <= 255:
            raise ValueError('byte %s out of range' % kind)
        return lambda start, n: bytes([value]) * n
    if kind == 'ramp':
        mul, add = (number(x) for x in arg.split(','))
        return lambda start, n: bytes((i * mul + add) & 0xFF for i in range(start, start + n))
    if kind == 'random':
        seed = number(arg)

        def stream(start, n):
            rng = random.Random(seed)
            return bytes(rng.randrange(256) for _ in range(start + n))[start:]
        return stream
    raise ValueError('unknown fill %r' % fill)


def segment(spec):
    """ADDR:SIZE:FILL[@START] -> (address, bytes)."""
    try:
        addr, size, fill = spec.split(':', 2)
        fill, _, start = fill.partition('@')
        return number(addr), pattern(fill)(number(start or '0'), number(size))
    except ValueError as e:
        raise argparse.ArgumentTypeError('segment %r: %s' % (spec, e))


def record(kind, addr, data):
    rec = [len(data), (addr >> 8) & 0xFF, addr & 0xFF, kind] + list(data)
    return ':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 0xFF)


def records(segments, per_record, ela_first):
    window = None if ela_first else 0
    for base, data in segments:
        off = 0
        while off < len(data):
            addr = base + off
            n = min(per_record, len(data) - off, 0x10000 - (addr & 0xFFFF))
            if addr >> 16 != window:
                window = addr >> 16
                yield record(4, 0, [(window >> 8) & 0xFF, window & 0xFF])
            yield record(0, addr, data[off:off + n])
            off += n
    yield record(1, 0, [])


def main():
    ap = argparse.ArgumentParser(description='Write an Intel HEX test image on stdout.')
    ap.add_argument('--record', type=number, default=16, metavar='N',
                    help='data bytes per record (default 16)')
    ap.add_argument('--crlf', action='store_true', help='end lines in CR LF')
    ap.add_argument('--ela-first', action='store_true',
                    help='start with an Extended Linear Address record')
    ap.add_argument('segments', nargs='+', type=segment, metavar='ADDR:SIZE:FILL[@START]')
    args = ap.parse_args()
    if not 1 <= args.record <= 255:
        ap.error('--record must be 1..255')
    eol = '\r\n' if args.crlf else '\n'
    out = sys.stdout.buffer
    for line in records(args.segments, args.record, args.ela_first):
        out.write((line + eol).encode('ascii'))


if __name__ == '__main__':
    main()
