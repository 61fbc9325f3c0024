# SPDX-License-Identifier: GPL-3.0-or-later
# Bash completion, one script per tool, installed where bash-completion looks
# for it by command name. Each tool prints its own option table (the hidden
# `TOOL --print-completion-table`, lib/core/tool.cpp) and
# build-aux/gen-completion turns it into the script: it is made from the
# built tool, so it cannot drift from the tool's options.
# (Included by the Makefile; it adds its targets to install, uninstall,
# test-build and lint as prerequisites.)

BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
COMPLETIONS := $(TOOLS:%=$(BUILD)/completion/%)

.PHONY: completion install-completion uninstall-completion lint-completion

completion: $(COMPLETIONS)

# Written to a temporary name first: a failed run leaves no script behind.
$(COMPLETIONS): $(BUILD)/completion/%: $(BUILD)/bin/% build-aux/gen-completion
	@mkdir -p $(@D)
	build-aux/gen-completion $< >$@.tmp
	mv $@.tmp $@

install-completion: completion
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 $(COMPLETIONS) $(DESTDIR)$(BASHCOMPDIR)/

uninstall-completion:
	rm -f $(TOOLS:%=$(DESTDIR)$(BASHCOMPDIR)/%)

lint-completion:
	shellcheck -x build-aux/gen-completion

install: install-completion
uninstall: uninstall-completion
test-build: completion
lint: lint-completion
