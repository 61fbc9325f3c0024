// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview/index.hpp"

#include <cstdio>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/file.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "preview/images.hpp"
#include "preview/png.hpp"

namespace vr {

namespace {

void write_text_atomic(const beneath& out, const std::string& path, const std::string& text) {
    out.write_file_atomic(path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void write_png(const beneath& out, png_encoder& png, const std::string& path, const rgb_image& image) {
    out.write_file_atomic(path, png.encode(image));
}

// The page also shows fields the typed getters do not cover; one of the
// wrong type fails its record like any other, rather than vanishing.
void check_type(const json& record, const char* key, json::value_t want, const char* want_text) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null() || it->type() == want) return;
    throw record_error(std::string("field '") + key + "' must be " + want_text + ", not " + it->type_name());
}

// The output file as its row names it: relative to the page's folder (as
// the player's link is), for failed records too; as written when it cannot be.
std::string shown_output(const json& record, const std::string& out_abs) {
    auto it = record.find("output_path");
    if (it == record.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return "";
    const std::string& path = it->get_ref<const std::string&>();
    try {
        auto rel = std::filesystem::path(absolute_path(path)).lexically_relative(out_abs);
        if (!rel.empty()) return rel.generic_string();
    } catch (const record_error&) {
    }
    return path;
}

}  // namespace

preview_index::preview_index(preview_index_options options) : options_(std::move(options)) {
    out_abs_ = absolute_path(options_.out_dir);
    // The page writes only inside --out: an images folder that is a link
    // (planted, or left behind) would carry the PNGs somewhere else.
    std::string images = out_abs_ + "/images";
    struct stat st {};
    if (::lstat(images.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        throw record_error(images + ": a symbolic link inside the output folder; refusing to write below it");
    make_dirs(images);
    out_.emplace(out_abs_, false);
}

json preview_index::add(json record) {
    preview_row row;
    std::size_t number = rows_.size() + 1;
    try {
        if (!is_error(record)) {
            // Typed checks first, so that a bad field fails the record here.
            get_string(record, "preset_name");
            get_string(record, "preset_path");
            get_number(record, "peak_dbfs");
            get_number(record, "rms_dbfs");
            get_number(record, "loudness_lufs");
            get_number(record, "tail_rendered_s");
            get_integer(record, "frames", 0, INT64_MAX);
            get_integer(record, "sample_rate_hz", 1, 10'000'000);
            get_integer(record, "clipped_samples", 0, INT64_MAX);
            get_integer(record, "note", 0, 127);
            get_integer(record, "velocity", 0, 127);
            get_integer(record, "program_index", 0, INT32_MAX);
            check_type(record, "silent", json::value_t::boolean, "true or false");
            check_type(record, "set_params", json::value_t::object, "an object");
            check_type(record, "params", json::value_t::array, "an array");
            auto output = get_path(record, "output_path");
            if (!output) {
                if (!is_skipped(record)) throw record_error("no output_path: nothing to play or draw");
            } else {
                std::string audio_abs = absolute_path(*output);
                audio_buffer audio;
                try {
                    audio = read_audio_file(audio_abs);
                } catch (const record_error& e) {
                    throw record_error(std::string("cannot preview the audio: ") + e.what());
                }
                char stem[32];
                std::snprintf(stem, sizeof stem, "images/%06zu", number);
                std::string wave = std::string(stem) + "-wave.png", spec = std::string(stem) + "-spec.png";
                write_png(*out_, png_, out_abs_ + "/" + wave,
                          draw_waveform(audio, options_.image_width, options_.waveform_height));
                write_png(*out_, png_, out_abs_ + "/" + spec,
                          draw_spectrogram(audio, options_.image_width, options_.spectrogram_height));
                row.audio_href = relative_href(out_abs_, audio_abs);
                // The editor's picture (render-one --screenshots), linked
                // as the audio is, where the file is.
                if (auto shot = get_path(record, "screenshot_path")) {
                    const std::string shot_abs = absolute_path(*shot);
                    if (::access(shot_abs.c_str(), R_OK) == 0) row.screenshot_href = relative_href(out_abs_, shot_abs);
                }
                row.waveform_href = wave;
                row.spectrogram_href = spec;
                if (audio.sample_rate > 0)
                    row.length_s = static_cast<double>(audio.frames()) / audio.sample_rate;
            }
        }
    } catch (const record_error& e) {
        row = {};
        set_error(record, e.what());
    }
    row.output_file = shown_output(record, out_abs_);
    row.record = record;
    rows_.push_back(std::move(row));
    return record;
}

void preview_index::write_page() const {
    write_text_atomic(*out_, out_abs_ + "/index.html", render_preview_page(rows_, options_.page));
}

int index_records(int in_fd, record_writer& out, preview_index& index, std::size_t max_line) {
    // Every record becomes a row, failed and skipped ones and unreadable lines too.
    record_loop_options options;
    options.pass_errors = false;
    options.pass_skipped = false;
    options.max_line = max_line;
    return for_each_record(
        in_fd, out, [&](json&& record, record_writer& w) { w.write(index.add(std::move(record))); },
        options);
}

}  // namespace vr
