// SPDX-License-Identifier: GPL-3.0-or-later
// A multi-track song as the worker renders it: each stem's notes through
// instances of its own, on one timeline; the stems padded to the longest,
// shaped alike, summed into the mix, given one normalising gain, written
// and measured. render_worker.cpp picks the instances; jobs/song.hpp
// lays the song out.
#pragma once
#include <vector>

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "jobs/song.hpp"
#include "worker/stage_render.hpp"

namespace vr::host {

// Checks that each stem's first stage takes MIDI (it plays the stem's
// notes); throws record_error naming the track and the plugin's buses.
void check_stem_stages(const std::vector<job_stage>& stages, const song_layout& song);

// Renders every stem through its stages (instances[i] plays stages[i]),
// writes the stems and then the mix (output_path), each atomically and
// below the job's output root; the mix is the float32 sum of the stems,
// sample for sample. Returns the mix's fields (frames, measures, loudness,
// gain_db, tail fields, plugin_process_s) and `stems`, one object per stem
// (path, track, track_name, key, its measures). at, when given, holds the
// index of the stage at work.
json render_song_and_write(const std::vector<plugin_instance*>& instances, const std::vector<job_stage>& stages,
                           const render_job& job, const song_layout& song, volatile int* at = nullptr);

// Gives each of record's `stems` its `chain`: its stages as a chain's
// stages are reported (plugin fields, preset and state hashes, each's
// fields from the render, sidechain figures).
void put_stem_stages(json& record, const std::vector<job_stage>& stages, const json& each,
                     const std::vector<json>& sidechains, const song_layout& song);

}  // namespace vr::host
