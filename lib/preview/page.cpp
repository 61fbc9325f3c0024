// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview/page.hpp"

#include <cstdio>
#include <filesystem>

#include "preview/assets.hpp"

namespace vr {

namespace {

// Display helpers: the page shows whatever a record holds and never fails on
// a field of an unexpected type (the record's checks happen before).
std::string text_field(const json& record, const char* key) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null()) return "";
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

bool number_field(const json& record, const char* key, double& out) {
    auto it = record.find(key);
    if (it == record.end() || !it->is_number()) return false;
    out = it->get<double>();
    return true;
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// A value for a data-* sort attribute ("" when absent) and its shown text.
struct cell {
    std::string sort;
    std::string shown;
};

cell number_cell(const json& record, const char* key, const char* unit, int decimals) {
    double v;
    if (!number_field(record, key, v)) return {};
    return {fixed(v, 6), fixed(v, decimals) + unit};
}

// The length of the audio read back, else what the record says.
cell length_cell(const preview_row& row) {
    double s = row.length_s, frames, rate;
    if (s < 0) {
        if (!number_field(row.record, "frames", frames) || !number_field(row.record, "sample_rate_hz", rate) ||
            rate <= 0)
            return {};
        s = frames / rate;
    }
    return {fixed(s, 6), fixed(s, 2) + " s"};
}

// A whole number (note, velocity, program): its digits, both for sorting and
// for the search's exact match; anything else is shown as it is, unsorted.
cell integer_cell(const json& record, const char* key) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null()) return {};
    if (it->is_number_integer()) return {it->dump(), it->dump()};
    return {"", text_field(record, key)};
}

// The output file: its folder dimmed, its name plain, a link to the audio
// when there is audio to play.
std::string file_html(const preview_row& row) {
    const std::string& file = row.output_file;
    auto slash = file.rfind('/');
    std::string dir = slash == std::string::npos ? "" : file.substr(0, slash + 1);
    std::string name = slash == std::string::npos ? file : file.substr(slash + 1);
    std::string text = (dir.empty() ? "" : "<span class=\"dir\">" + html_escape(dir) + "</span>") + html_escape(name);
    if (row.audio_href.empty()) return text;
    return "<a href=\"" + html_escape(row.audio_href) + "\">" + text + "</a>";
}

std::string display_name(const json& record) {
    std::string name = text_field(record, "preset_name");
    if (!name.empty()) return name;
    for (const char* key : {"preset_path", "state_path", "output_path"}) {
        std::string path = text_field(record, key);
        if (!path.empty()) return std::filesystem::path(path).filename().string();
    }
    return "(unnamed)";
}

void append_params(std::string& html, const json& record) {
    auto set = record.find("set_params");
    auto read = record.find("params");
    bool has_set = set != record.end() && set->is_object() && !set->empty();
    bool has_read = read != record.end() && read->is_array() && !read->empty();
    if (!has_set && !has_read) return;
    if (has_set) {
        html += "<div>set: ";
        bool first = true;
        for (const auto& [k, v] : set->items()) {
            if (!first) html += ", ";
            first = false;
            html += html_escape(k) + "=" + html_escape(v.is_string() ? v.get<std::string>() : v.dump());
        }
        html += "</div>";
    }
    if (has_read) {
        html += "<details><summary>" + std::to_string(read->size()) + " parameters</summary><ul>";
        for (const auto& p : *read) {
            html += "<li>";
            if (p.is_object()) {
                html += html_escape(text_field(p, "index")) + " " + html_escape(text_field(p, "name")) + " = " +
                        html_escape(text_field(p, "value"));
                std::string text = text_field(p, "text");
                if (!text.empty()) html += " (" + html_escape(text) + ")";
            } else {
                html += html_escape(p.dump());
            }
            html += "</li>";
        }
        html += "</ul></details>";
    }
}

void append_row(std::string& html, std::size_t index, const preview_row& row) {
    const json& r = row.record;
    std::string status = text_field(r, "status");
    if (status.empty()) status = "ok";
    std::string name = display_name(r);
    std::string path = text_field(r, "preset_path");
    if (path.empty()) path = text_field(r, "state_path");
    cell peak = number_cell(r, "peak_dbfs", " dBFS", 1), rms = number_cell(r, "rms_dbfs", " dBFS", 1),
         lufs = number_cell(r, "loudness_lufs", " LUFS", 1), tail = number_cell(r, "tail_rendered_s", " s", 2),
         length = length_cell(row);
    cell note = integer_cell(r, "note"), velocity = integer_cell(r, "velocity"),
         program = integer_cell(r, "program_index");
    double clipped = 0;
    number_field(r, "clipped_samples", clipped);
    auto silent_it = r.find("silent");
    bool silent = silent_it != r.end() && silent_it->is_boolean() && silent_it->get<bool>();

    // What the script filters, sorts and searches on: sort values are plain
    // numbers, the rest is escaped.
    html += "<tr class=\"row\" data-index=\"" + std::to_string(index) + "\" data-name=\"" + html_escape(name) +
            "\" data-path=\"" + html_escape(path) + "\" data-note=\"" + note.sort + "\" data-velocity=\"" +
            velocity.sort + "\" data-program=\"" + program.sort + "\" data-file=\"" + html_escape(row.output_file) +
            "\" data-status=\"" + html_escape(status) + "\" data-peak=\"" + peak.sort + "\" data-rms=\"" + rms.sort +
            "\" data-lufs=\"" + lufs.sort + "\" data-length=\"" + length.sort + "\" data-tail=\"" + tail.sort +
            "\" data-clipped=\"" + fixed(clipped, 0) + "\" data-silent=\"" + (silent ? "1" : "0") + "\">\n";
    html += "<td class=\"num\">" + std::to_string(index) + "</td>";
    html += "<td><div class=\"name\">" + html_escape(name) + "</div><div class=\"path\">" + html_escape(path) +
            "</div></td>";
    for (const cell* c : {&note, &velocity, &program}) html += "<td class=\"num\">" + html_escape(c->shown) + "</td>";
    html += "<td class=\"file\">" + file_html(row) + "</td>";
    // Player, waveform and spectrogram share a column, so that the table
    // fits a 1280 px window.
    html += "<td class=\"media\">";
    if (!row.audio_href.empty())
        html += "<audio controls preload=\"none\" src=\"" + html_escape(row.audio_href) + "\"></audio>";
    if (!row.waveform_href.empty())
        html += "<img class=\"wave\" loading=\"lazy\" alt=\"waveform\" src=\"" + html_escape(row.waveform_href) + "\">";
    if (!row.spectrogram_href.empty())
        html += "<img class=\"spec\" loading=\"lazy\" alt=\"spectrogram\" src=\"" +
                html_escape(row.spectrogram_href) + "\">";
    // The editor's picture: a click (focus) shows it whole over the page.
    if (!row.screenshot_href.empty())
        html += "<img class=\"shot\" tabindex=\"0\" loading=\"lazy\" alt=\"the plugin's editor\" src=\"" +
                html_escape(row.screenshot_href) + "\">";
    html += "</td>";
    for (const cell* c : {&peak, &rms, &lufs, &length, &tail}) html += "<td class=\"num\">" + c->shown + "</td>";
    html += "<td><span class=\"status-" + html_escape(status) + "\">" + html_escape(status) + "</span>";
    if (silent) html += " <span class=\"flag silent\">silent</span>";
    if (clipped > 0) html += " <span class=\"flag clipped\">clipped " + fixed(clipped, 0) + "</span>";
    auto error = r.find("error");
    if (error != r.end() && error->is_object()) {
        std::string tool = text_field(*error, "tool"), message = text_field(*error, "message");
        html += "<div class=\"error\">" + (tool.empty() ? "" : html_escape(tool) + ": ") + html_escape(message) +
                "</div>";
    }
    html += "</td><td>";
    append_params(html, r);
    html += "</td></tr>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string url_encode_path(std::string_view path) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~' || c == '/';
        if (keep) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string relative_href(const std::string& from, const std::string& target) {
    std::filesystem::path rel = std::filesystem::path(target).lexically_relative(from);
    return url_encode_path(rel.generic_string());
}

std::string render_preview_page(const std::vector<preview_row>& rows, const preview_page_options& options) {
    std::string html;
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    html += "<title>" + html_escape(options.title) + "</title>\n<style>" + std::string(preview_css()) +
            "</style>\n</head>\n<body>\n";
    html += "<h1>" + html_escape(options.title) + "</h1>\n<div id=\"controls\">\n";
    html += "<label>Search <input id=\"search\" type=\"search\" placeholder=\"name, path, file or a number\" "
            "title=\"part of a name, preset path or file; or a note, velocity or program number\"></label>\n";
    html += "<label>Status <select id=\"status\"><option value=\"all\">all</option><option value=\"ok\">ok</option>"
            "<option value=\"error\">error</option><option value=\"skipped\">skipped</option></select></label>\n";
    html += "<label><input id=\"only-silent\" type=\"checkbox\"> silent only</label>\n";
    html += "<label><input id=\"only-clipped\" type=\"checkbox\"> clipped only</label>\n";
    html += "<label><input id=\"only-errors\" type=\"checkbox\"> errors only</label>\n";
    html += "<span id=\"count\">" + std::to_string(rows.size()) + " renders</span>\n</div>\n";
    html += "<div id=\"pager\"><button id=\"prev\" type=\"button\">previous</button><span id=\"page\"></span>"
            "<button id=\"next\" type=\"button\">next</button></div>\n";
    html += "<table id=\"rows\" data-page-size=\"" + std::to_string(options.page_size) + "\">\n";
    // Sort key (none when empty), label, and the column's class, which sets its width.
    static const char* const headers[][3] = {
        {"index", "#", "c-index"},         {"name", "Preset", "c-name"},      {"note", "Note", "c-note"},
        {"velocity", "Velocity", "c-int"}, {"program", "Program", "c-int"},   {"file", "File", "c-file"},
        {"", "Audio", "c-media"},          {"peak", "Peak", "c-num"},         {"rms", "RMS", "c-num"},
        {"lufs", "Loudness", "c-lufs"},    {"length", "Length", "c-num"},     {"tail", "Tail", "c-num"},
        {"status", "Status", "c-status"},  {"", "Parameters", "c-params"}};
    html += "<colgroup>";
    for (const auto& h : headers) html += std::string("<col class=\"") + h[2] + "\">";
    html += "</colgroup>\n<thead><tr>";
    for (const auto& h : headers) {
        if (*h[0])
            html += std::string("<th data-key=\"") + h[0] + "\"><button type=\"button\">" + h[1] + "</button></th>";
        else
            html += std::string("<th>") + h[1] + "</th>";
    }
    html += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < rows.size(); ++i) append_row(html, i + 1, rows[i]);
    html += "</tbody>\n</table>\n<script>" + std::string(preview_js()) + "</script>\n</body>\n</html>\n";
    return html;
}

}  // namespace vr
