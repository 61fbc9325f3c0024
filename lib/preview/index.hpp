// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/beneath.hpp"
#include "core/records.hpp"
#include "preview/page.hpp"
#include "preview/png.hpp"

namespace vr {

// What render-index draws and where.
struct preview_index_options {
    std::string out_dir;       // the folder written: index.html and images/
    int image_width = 400;     // pixels, both images
    int waveform_height = 64;
    int spectrogram_height = 128;
    preview_page_options page;
};

// Collects rows for a preview page, drawing each render's images as it comes.
class preview_index {
public:
    // Creates the output folder and its images/ folder; throws record_error.
    // Everything is written below the output folder without following a
    // symbolic link in it (core/beneath.hpp).
    explicit preview_index(preview_index_options options);

    // Adds the record as the next row and returns it as it should be passed
    // on: unchanged, or failed (status "error") with a message naming the
    // audio file when that could not be read or drawn. Errored records become
    // rows without a player; their images are not drawn.
    json add(json record);

    // Writes index.html atomically; may be called again after more rows.
    void write_page() const;

    std::size_t rows() const noexcept { return rows_.size(); }

private:
    preview_index_options options_;
    std::string out_abs_;
    std::optional<beneath> out_;  // out_abs_, opened once
    std::vector<preview_row> rows_;
    png_encoder png_;
};

// Reads records from in_fd like for_each_record, but hands every one (an
// errored input record and an unreadable line too) to the index, and writes
// what add returns to out. Returns the exit code: 1 when any record written
// failed, else 0.
int index_records(int in_fd, record_writer& out, preview_index& index,
                  std::size_t max_line = default_max_line);

}  // namespace vr
