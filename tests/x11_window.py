#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the editor tests do to a window on the X display DISPLAY names,
through libX11 (ctypes: no package beyond libx11-6):

  x11_window.py pixel WINDOW X Y          prints the pixel there as [r, g, b]
  x11_window.py until WINDOW X Y R,G,B   waits until that pixel is that
                                          colour (the editor drew it)
  x11_window.py until-not WINDOW X Y R,G,B
                                          waits until that pixel is another
                                          colour (the editor drew a change);
                                          both exit 1 when the window goes,
                                          or after 20 s without it
  x11_window.py close WINDOW              asks the window's client to close it,
                                          as a window manager's close button
                                          does (WM_DELETE_WINDOW)

xdotool 3.20160805, Debian 12's, has no windowclose; a bare Xvfb has no
window manager to ask."""
import ctypes
import ctypes.util
import json
import sys
import time

x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XGetImage.restype = ctypes.c_void_p
x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                        ctypes.c_ulong, ctypes.c_int]
x.XGetPixel.restype = ctypes.c_ulong
x.XGetPixel.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
x.XDestroyImage.argtypes = [ctypes.c_void_p]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]

ZPIXMAP, ALL_PLANES, CLIENT_MESSAGE = 2, 0xFFFFFFFF, 33


class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class XEvent(ctypes.Union):
    _fields_ = [("client", ClientMessage), ("pad", ctypes.c_long * 24)]


# Xlib's default error handler ends the process on an error (a window that
# went): the error is noted instead, and read as "no pixel".
errors = []
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
noting = ERROR_HANDLER(lambda d, e: errors.append(1) or 0)
x.XSetErrorHandler(noting)


def pixel(display, window, px, py):
    image = x.XGetImage(display, window, px, py, 1, 1, ALL_PLANES, ZPIXMAP)
    x.XSync(display, 0)
    if not image:
        return None
    value = x.XGetPixel(image, 0, 0)
    x.XDestroyImage(image)
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255]


def main(argv):
    display = x.XOpenDisplay(None)
    if not display:
        sys.exit("x11_window.py: cannot open the display DISPLAY names")
    what, window = argv[1], int(argv[2], 0)
    if what == "pixel":
        print(json.dumps(pixel(display, window, int(argv[3]), int(argv[4]))))
    elif what in ("until", "until-not"):
        colour = [int(v) for v in argv[5].split(",")]
        want = what == "until"
        until = time.monotonic() + 20
        while True:
            now = pixel(display, window, int(argv[3]), int(argv[4]))
            if now is None:
                sys.exit("x11_window.py: the window went first")
            if (now == colour) == want:
                print(json.dumps(now))
                break
            if time.monotonic() > until:
                sys.exit(f"x11_window.py: the pixel was {now} for 20 s, {what} {colour} asked")
            time.sleep(0.02)
    elif what == "close":
        event = XEvent()
        event.client.type = CLIENT_MESSAGE
        event.client.window = window
        event.client.message_type = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.client.format = 32
        event.client.data[0] = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        event.client.data[1] = 0  # CurrentTime
        x.XSendEvent(display, window, 0, 0, ctypes.byref(event))
        x.XSync(display, 0)
        if errors:
            sys.exit("x11_window.py: no such window")
    else:
        sys.exit(f"x11_window.py: no command {what}")
    x.XCloseDisplay(display)


main(sys.argv)
