# SPDX-License-Identifier: GPL-3.0-or-later
# The make -j way to render a batch: one target per job, so that make's own
# bookkeeping resumes a run cut short (only the jobs whose output file is
# missing are rendered) and -j sets the number of workers.
#
#   make -f examples/render.mk JOBS=jobs.ndjson PLUGIN=/usr/lib/vst/amsynth_vst.so -j4 [-k] [WARM=0]
#
# JOBS holds job records with output_path (assign-paths makes them). An
# output path may hold any character: spaces, $, #, :, %, parentheses. make
# cannot name such files itself, so the target of job N (its line number in
# JOBS) is STATE/out/N, a symbolic link that render.mk points at the job's
# output file once it is rendered: make sees the target exactly when the
# output file is there. A line that is not a JSON object, or a job without
# an output_path, stops the run before anything renders, with a message
# naming its line. Blank lines are skipped; a record with status "error" or
# "skipped" is not rendered and goes to the results as it is.
#
# STATE (default JOBS.make) keeps the generated rules, the links, and one
# result record per job; STATE/results.ndjson gathers them, in the order of
# the jobs, once every job is made. JOBS and STATE themselves must be paths
# make can name (no spaces, no $ # : %). Changing JOBS starts the batch over:
# every job renders again (add --skip-existing to RENDER_FLAGS to keep the
# files already there; their records then say "skipped"). RENDER_ONE and
# RENDER_FLAGS pass render-one and its options (e.g. --timeout 60 --retries 2);
# WARM (below) says how long a warm render-one waits for the next target.
#
# Each job is its own render-one: simple, and resumable by make alone. A
# target renders warm (render-one --warm WARM): the first target of a run
# renders itself and starts a warm render-one in the background, which
# holds the plugin loaded, warmed and probed; every later target runs in
# it and costs about what its render costs, not the plugin's load and
# warm-up (render-one(1), "Warm render-one"; bench/README.md).
#
# What is left running: that warm render-one (and the sessions and worker
# processes it keeps ready, its forks), one for each plugin and
# environment, until it has served no target for WARM seconds (default
# 10): it ends about WARM seconds after make does. It is a session of its
# own with none of make's descriptors: make, the terminal, an ssh login, a
# pipeline reading make's output or a CI job end when make ends, never
# waiting for it. WARM=0 renders cold, leaving nothing running (each
# target loads the plugin itself; what a process learns of a plugin the
# first time, its probe, is still kept in render-one's probe cache). A
# --warm S in RENDER_FLAGS wins over WARM. A plugin given by the job
# records rather than PLUGIN renders cold: a warm render-one is for -p.
#
# A killed make leaves no partial output (render-one writes a temporary
# and renames it; the next render-one removes temporaries of killed runs),
# and a job's link is made only after its render, so every target that
# exists is a finished job.

JOBS ?= jobs.ndjson
STATE ?= $(JOBS).make
PLUGIN ?=
RENDER_ONE ?= render-one
RENDER_FLAGS ?=
WARM ?= 10

# --warm WARM, unless WARM is 0 (or empty) or RENDER_FLAGS has a --warm of
# its own.
warm_flag = $(if $(filter --warm --warm=%,$(RENDER_FLAGS)),,$(if $(filter-out 0,$(strip $(WARM))),--warm $(strip $(WARM))))
render_cmd = $(RENDER_ONE) $(if $(PLUGIN),--plugin '$(PLUGIN)') $(warm_flag) $(RENDER_FLAGS)

.PHONY: all
all: $(STATE)/results.ndjson

# A job's output_path as an absolute path, for jq: a relative one is
# relative to where make runs, as it is for render-one.
abs_output = .output_path | if startswith("/") then . else $$here + "/" + . end

# The recipe of job $(1) whose line is too long to spell in a rule: render
# line $(1) of JOBS (sed stops there: a target does not read the rest of a
# long JOBS) and keep its record. Then (rules_jq writes that line)
# STATE/out/$(1) is linked to the output file.
define render_job
sed -n '$(1){p;q;}' '$(JOBS)' | $(render_cmd) > '$(STATE)/records/$(1).ndjson'
endef

# The link of job $(1), too long to spell (above), whose output path holds
# a newline, which no rule can spell: jq reads the path from JOBS as the
# recipe runs.
define link_by_jq
ln -sfn -- "$$(sed -n '$(1){p;q;}' '$(JOBS)' | jq -j --arg here "$$PWD" '$(abs_output)')" '$(STATE)/out/$(1)'
endef

# One rule per job, made from the jobs file: job N renders line N. make
# reads the rules back in (and restarts) whenever JOBS changes. jq reads raw
# lines (-R) so that N counts every line, as sed does; an error() ends the
# `inputs` loop and jq with it, with a non-zero status. (The line is parsed
# inside [ ]: jq 1.6's try would also catch errors raised after it.) Each
# rule spells the job's own line, quoted for the shell and with make's $
# doubled, as render-one's --job; render-one writes the record itself
# (--records) and makes the link once the output is there (--link). Such a
# command has nothing for a shell to do, so make runs render-one itself: a
# target costs one process, no shell, no sed, no jq and no ln (issue 33: a
# shell and ln took a quarter of the processors' time of a make -j2 over
# warm Nekobi jobs; jq's start cost as much as a short render). A line of
# more than 64 KiB (a command's argument may not be much longer) is read by
# sed and piped to render-one, and the link is made by ln: its rule spells
# the output path, quoted alike (a relative one after "$$PWD", where make
# runs), or has jq read a path that holds a newline.
define rules_jq
foreach inputs as $$line (0; . + 1; [., $$line])
| .[0] as $$n | .[1] as $$line
| select($$line | test("^[ \t\r]*$$") | not)
| ([$$line | fromjson?] | first) as $$job
| if ($$job | type) != "object" then
    error("\($$jobs):\($$n): not a JSON object")
  elif $$job.status == "error" or $$job.status == "skipped" then
    "DONE += $$(STATE)/records/\($$n).ndjson\n$$(STATE)/records/\($$n).ndjson: $$(JOBS)\n\tsed -n '\($$n){p;q;}' '$$(JOBS)' > '$$@'\n"
  elif ($$job.output_path | type) != "string" or $$job.output_path == "" then
    error("\($$jobs):\($$n): the job has no output_path (give it one with assign-paths)")
  else
    ($$job.output_path) as $$p
    | (if ($$line | utf8bytelength) > 65536 then
         "$$(call render_job,\($$n)) && "
         + (if ($$p | contains("\n")) then "$$(call link_by_jq,\($$n))"
            else "ln -sfn -- " + (if ($$p | startswith("/")) then "" else "\"$$$$PWD\"/" end)
                 + ($$p | @sh | gsub("\\$$"; "$$$$")) + " '$$(STATE)/out/\($$n)'"
            end)
       else "$$(render_cmd) --job " + ($$line | @sh | gsub("\\$$"; "$$$$"))
            + " --records '$$(STATE)/records/\($$n).ndjson' --link '$$(STATE)/out/\($$n)'"
       end) as $$recipe
    | "DONE += $$(STATE)/out/\($$n)\n$$(STATE)/out/\($$n):\n\t\($$recipe)\n"
  end
endef
export rules_jq

# A new JOBS: new rules, and the links and records of the old ones gone.
$(STATE)/rules.mk: $(JOBS)
	@mkdir -p '$(STATE)'
	jq -nrR --arg jobs '$(JOBS)' "$$rules_jq" < '$(JOBS)' > '$@.tmp'
	rm -rf '$(STATE)/out' '$(STATE)/records'
	mkdir -p '$(STATE)/out' '$(STATE)/records'
	mv '$@.tmp' '$@'

include $(STATE)/rules.mk

# Every job made: the records, in the order of the jobs.
$(STATE)/results.ndjson: $(DONE)
	cd '$(STATE)/records' && ls | sort -n | xargs -r cat > ../results.ndjson.tmp
	mv '$@.tmp' '$@'
