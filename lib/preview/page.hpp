// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/records.hpp"

namespace vr {

// One row of the preview page: the record as passed on, plus the links the
// page needs (each empty when there is nothing to link to).
struct preview_row {
    json record;
    std::string audio_href;        // relative to the page's folder, URL-encoded
    std::string waveform_href;
    std::string spectrogram_href;
    std::string screenshot_href;   // the plugin's editor (screenshot_path), where the file is
    std::string output_file;       // output_path as shown: relative to the page's folder; may be empty
    double length_s = -1;          // of the audio read back; < 0 when unknown
};

// The page's settings.
struct preview_page_options {
    int page_size = 200;  // rows shown at a time; the page's script pages through the rest
    std::string title = "vst-render preview";
};

// Text made safe inside HTML element content and quoted attribute values.
std::string html_escape(std::string_view text);

// A relative path made into a URL path: each segment's bytes outside
// [A-Za-z0-9-._~] percent-encoded, the slashes kept.
std::string url_encode_path(std::string_view path);

// The href of `target` (an absolute path) seen from the folder `from` (an
// absolute path): relative, with "../" as needed, URL-encoded.
std::string relative_href(const std::string& from, const std::string& target);

// The whole index.html: every row in input order, with inline CSS and script
// for filtering, sorting, search and paging; no external assets. Every string
// taken from records is HTML-escaped. The same rows give the same bytes.
std::string render_preview_page(const std::vector<preview_row>& rows, const preview_page_options& options);

}  // namespace vr
