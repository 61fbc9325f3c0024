# SPDX-License-Identifier: GPL-3.0-or-later
# `make deb`: build/deb/vst-render_VERSION_ARCH.deb, made by Debian's own
# tooling (dpkg-buildpackage, debhelper: debian/) from the plain build
# under build/, whatever SANITIZE says (the sanitizer build is for tests,
# never shipped). After `make`, the package build compiles nothing. Every
# file it writes lands in build/deb/ (the .deb, its -dbgsym, .buildinfo,
# .changes), and debian/ is left as committed. Included by the top Makefile.

DEB_DIR := build/deb

# What the package build must not inherit from this make: variables given
# on its command line (MAKEFLAGS) and the ones that pick another build or
# another install path.
DEB_ENV = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD \
           -u PREFIX -u BINDIR -u MANDIR -u DESTDIR \
           DEB_BUILD_OPTIONS="$${DEB_BUILD_OPTIONS:-parallel=$(JOBS)}"

.PHONY: deb
deb:
	@v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = "$(VERSION)" ] || { \
	    echo "make deb: debian/changelog is at $$v but VERSION says $(VERSION): add an entry (dch -v $(VERSION))" >&2; exit 1; }
	@mkdir -p $(DEB_DIR)
	rm -f $(DEB_DIR)/vst-render_* $(DEB_DIR)/vst-render-dbgsym_*
	arch=$$(dpkg --print-architecture) && out=$(abspath $(DEB_DIR)) && \
	$(DEB_ENV) dpkg-buildpackage -b -us -uc \
	    --buildinfo-file=$$out/vst-render_$(VERSION)_$$arch.buildinfo \
	    --buildinfo-option=-u$$out \
	    --changes-file=$$out/vst-render_$(VERSION)_$$arch.changes \
	    --changes-option=-u$$out; \
	status=$$?; $(DEB_ENV) debian/rules clean >/dev/null; exit $$status
	@ls $(DEB_DIR)/*.deb
