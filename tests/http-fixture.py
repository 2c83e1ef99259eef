#!/usr/bin/env python3
"""A small HTTP server on 127.0.0.1 for the download tests: it serves the
files of one folder and a few misbehaving answers, and writes the port it
got to a file.  Nothing here reaches outside the machine.

  http-fixture.py DIR PORTFILE

  /NAME          DIR/NAME, as it is
  /redirect/NAME a 302 to /NAME
  /missing       404
  /cut/NAME      the first half of DIR/NAME, then the connection closes
  /short/NAME    the same without a Content-Length (nobody can tell it is cut)
  /stall/NAME    the headers and 16 bytes, then nothing (until killed)
"""
import http.server
import os
import socketserver
import sys
import time

root, portfile = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def body(self, name):
        path = os.path.join(root, os.path.basename(name))
        if not os.path.isfile(path):
            return None
        with open(path, 'rb') as f:
            return f.read()

    def do_GET(self):
        parts = self.path.strip('/').split('/', 1)
        kind, name = (parts[0], parts[1]) if len(parts) == 2 else ('', parts[0])
        if kind == 'redirect':
            self.send_response(302)
            self.send_header('Location', '/' + name)
            self.end_headers()
            return
        data = self.body(name)
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        if kind != 'short':
            self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if kind in ('cut', 'short'):
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.connection.close()
        elif kind == 'stall':
            self.wfile.write(data[:16])
            self.wfile.flush()
            time.sleep(3600)
        else:
            self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(('127.0.0.1', 0), Handler)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + '.tmp', portfile)
srv.serve_forever()
