# SPDX-License-Identifier: GPL-3.0-or-later
# The make -j way to render a batch: one target per output file, so that
# make's own bookkeeping resumes a run cut short (only missing files are
# made) and -j sets the number of workers.
#
#   make -f examples/render.mk JOBS=jobs.ndjson PLUGIN=/usr/lib/vst/amsynth_vst.so -j4 [-k]
#
# JOBS holds job records with output_path (assign-paths makes them: paths
# make can name, without spaces, colons or dollars; a job whose path make
# cannot name stops the run with a message). STATE (default JOBS.make/)
# keeps the generated rules and one result record per job; results.ndjson
# in it gathers them once every file is made. RENDER_ONE and RENDER_FLAGS
# pass render-one and its options (e.g. --timeout 60 --retries 2).
#
# Each output is its own render-one, which loads the plugin for one job:
# simple, and resumable by make alone, but slower than the round-robin
# pipeline (examples/resume.sh) by a plugin load per job. A killed make
# leaves no partial output (render-one writes a temporary and renames it;
# the next render-one removes temporaries of killed runs), so every file
# that exists is a finished job.

JOBS ?= jobs.ndjson
STATE ?= $(JOBS).make
PLUGIN ?=
RENDER_ONE ?= render-one
RENDER_FLAGS ?=

render_cmd = $(RENDER_ONE) $(if $(PLUGIN),--plugin '$(PLUGIN)') $(RENDER_FLAGS)

.PHONY: all
all: $(STATE)/results.ndjson

# One rule per job, made from the jobs file: job N (its line number) makes
# its output_path from line N and keeps its record in records/N.ndjson.
# make reads the rules back in (and restarts) whenever JOBS changes.
define rules_jq
select(.status != "error" and .status != "skipped")
| .output_path as $$o
| if ($$o | type) != "string" or ($$o | test("^[A-Za-z0-9_./+@%=,-]+$$") | not)
  then error("line \(input_line_number): output_path \($$o | tojson) is not a name make can use") else . end
| "OUTPUTS += \($$o)\n\($$o):\n\tsed -n \(input_line_number)p $$(JOBS) | $$(render_cmd) > $$(STATE)/records/\(input_line_number).ndjson\n"
endef
export rules_jq

$(STATE)/rules.mk: $(JOBS)
	@mkdir -p '$(STATE)/records'
	jq -r "$$rules_jq" '$(JOBS)' > '$@.tmp'
	mv '$@.tmp' '$@'

include $(STATE)/rules.mk

# Every output made: the records, in the order of the jobs.
$(STATE)/results.ndjson: $(OUTPUTS)
	ls $(STATE)/records | sort -n | sed 's|^|$(STATE)/records/|' | xargs cat > '$@.tmp'
	mv '$@.tmp' '$@'
