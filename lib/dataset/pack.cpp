// SPDX-License-Identifier: GPL-3.0-or-later
#include "dataset/pack.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/hash.hpp"
#include "dataset/tar.hpp"

namespace vr::dataset {

std::vector<split_spec> parse_splits(const std::string& text) {
    std::vector<split_spec> out;
    std::set<std::string> names;
    double sum = 0;
    std::size_t at = 0;
    while (at <= text.size()) {
        std::size_t comma = text.find(',', at);
        std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        at = comma == std::string::npos ? text.size() + 1 : comma + 1;
        auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw usage_error("--split '" + text + "': each item is NAME=FRACTION, as train=0.9,validation=0.1");
        split_spec s{item.substr(0, eq), 0};
        if (s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            std::string::npos)
            throw usage_error("--split: '" + s.name + "': a split's name is letters, digits, '-' and '_'");
        if (!names.insert(s.name).second) throw usage_error("--split: '" + s.name + "' given twice");
        std::string number = item.substr(eq + 1);
        char* end = nullptr;
        s.fraction = std::strtod(number.c_str(), &end);
        if (number.empty() || *end != '\0' || !(s.fraction > 0 && s.fraction <= 1))
            throw usage_error("--split: '" + item + "': the fraction must be a number above 0, at most 1");
        sum += s.fraction;
        out.push_back(std::move(s));
    }
    if (std::fabs(sum - 1) > 1e-9) throw usage_error("--split '" + text + "': the fractions must sum to 1");
    return out;
}

std::size_t split_of(std::string_view key, const std::vector<split_spec>& splits) {
    auto bytes = reinterpret_cast<const std::uint8_t*>(key.data());
    std::string hex = sha256_hex({bytes, key.size()});
    double u = static_cast<double>(std::stoull(hex.substr(0, 16), nullptr, 16)) * 0x1p-64;
    double running = 0;
    for (std::size_t i = 0; i + 1 < splits.size(); ++i) {
        running += splits[i].fraction;
        if (u < running) return i;
    }
    return splits.empty() ? 0 : splits.size() - 1;
}

std::string split_key_text(const json& record, const std::string& field) {
    auto it = record.find(field);
    if (it == record.end() || it->is_null())
        throw record_error("no field '" + field + "' to split by (--split-key)");
    return it->is_string() ? it->get<std::string>() : it->dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

unique_fd create_new(const std::string& path) {
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw fatal_error("cannot create " + path + ": " + std::strerror(errno));
    return fd;
}

void rename_into_place(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0)
        throw fatal_error("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
}

// The extension of the audio file's name, lower case: flac, wav, ... ("bin" when none).
std::string extension_of(const std::string& path) {
    auto slash = path.rfind('/');
    auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot + 1 == path.size())
        return "bin";
    std::string ext = path.substr(dot + 1);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// A temporary file removed unless kept.
struct temp_file {
    std::string path;
    unique_fd fd;
    explicit temp_file(const std::string& beside) : path(temp_path_beside(beside)), fd(create_new(path)) {}
    ~temp_file() {
        if (!path.empty()) ::unlink(path.c_str());
    }
    // Closes and renames it to `to`.
    void keep_as(const std::string& to) {
        fd.close(path);
        rename_into_place(path, to);
        path.clear();
    }
};

}  // namespace

struct packer::sink {
    bool tar = true;           // shards, else audiofolder
    std::size_t split = 0;
    std::string dir;           // where its files go
    std::string rel;           // dir relative to the top folder: "" or "SPLIT/"
    // shards
    std::unique_ptr<temp_file> shard;
    std::unique_ptr<tar_writer> writer;
    std::string shard_name;
    std::uint64_t in_shard = 0;
    std::vector<std::string> shard_names;
    // audiofolder
    std::unique_ptr<temp_file> metadata;
    std::string metadata_text;

    void end_shard() {
        if (!shard) return;
        writer->finish();
        shard->keep_as(join(dir, shard_name));
        shard_names.push_back(shard_name);
        shard.reset();
        writer.reset();
        in_shard = 0;
    }
    void start_shard() {
        char name[32];
        std::snprintf(name, sizeof name, "%06zu.tar", shard_names.size());
        shard_name = name;
        shard = std::make_unique<temp_file>(join(dir, shard_name));
        writer = std::make_unique<tar_writer>(shard->fd.get());
    }
    void flush_metadata() {
        if (int error = vr::write_all(metadata->fd.get(), {reinterpret_cast<const std::uint8_t*>(metadata_text.data()),
                                                           metadata_text.size()}))
            throw fatal_error("cannot write " + metadata->path + ": " + std::strerror(error));
        metadata_text.clear();
    }
};

packer::packer(pack_settings settings) : settings_(std::move(settings)) {
    std::vector<std::string> split_dirs;
    if (settings_.splits.empty()) {
        split_dirs.push_back("");
    } else {
        for (const auto& s : settings_.splits) split_dirs.push_back(s.name + "/");
    }
    per_split_.assign(split_dirs.size(), 0);
    for (int layout = 0; layout < 2; ++layout) {
        const std::string& top = layout == 0 ? settings_.shards_dir : settings_.audiofolder_dir;
        if (top.empty()) continue;
        const char* marker = layout == 0 ? "shards.txt" : "metadata.jsonl";
        for (std::size_t s = 0; s < split_dirs.size(); ++s) {
            std::string dir = join(top, split_dirs[s]);
            if (exists(join(dir, marker)) || exists(join(dir, "000000.tar")))
                throw usage_error(dir + " already holds a dataset (" + marker +
                                  "): pack into a new folder, or remove the old one first");
        }
        if (layout == 0 && exists(join(top, marker)))
            throw usage_error(top + " already holds a dataset (shards.txt): pack into a new folder, or remove the old one first");
        for (std::size_t s = 0; s < split_dirs.size(); ++s) {
            auto k = std::make_unique<sink>();
            k->tar = layout == 0;
            k->split = s;
            k->rel = split_dirs[s];
            k->dir = join(top, split_dirs[s]);
            try {
                make_dirs(k->dir.empty() ? "." : k->dir);
            } catch (const record_error& e) {
                throw usage_error(e.what());
            }
            if (!k->tar) k->metadata = std::make_unique<temp_file>(join(k->dir, "metadata.jsonl"));
            sinks_.push_back(std::move(k));
        }
    }
}

packer::~packer() = default;

void packer::add(json& record) {
    std::size_t split = 0;
    if (!settings_.splits.empty()) split = split_of(split_key_text(record, settings_.split_key), settings_.splits);

    // The audio: an ok record must have it; an error record packs without.
    unique_fd audio;
    std::uint64_t size = 0;
    std::string ext;
    auto path = get_path(record, "output_path");
    if (path) {
        // O_NONBLOCK: a FIFO must not hang the run (it is refused below as not a file).
        audio = unique_fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        std::string why = audio ? "" : std::strerror(errno);
        struct stat st;
        if (audio && (::fstat(audio.get(), &st) != 0 || !S_ISREG(st.st_mode))) {
            audio = unique_fd();
            why = "not a regular file";
        }
        if (!audio && !is_error(record))
            throw record_error("output_path " + *path + ": cannot open the audio: " + why);
        if (audio) {
            size = static_cast<std::uint64_t>(st.st_size);
            ext = extension_of(*path);
        }
    } else if (!is_error(record)) {
        throw record_error("no output_path: no audio to pack");
    }

    char key_buf[32];
    std::snprintf(key_buf, sizeof key_buf, "%09llu", static_cast<unsigned long long>(packed_));
    const std::string key = key_buf;
    const std::string text = record.dump(-1, ' ', false, json::error_handler_t::strict);
    json added = json::object();

    for (auto& k : sinks_) {
        if (k->split != split) continue;
        if (k->tar) {
            std::uint64_t need = 512 + (size + 511) / 512 * 512 + 512 + (text.size() + 511) / 512 * 512;
            if (k->shard && ((settings_.shard_size && k->in_shard >= settings_.shard_size) ||
                             (settings_.shard_bytes && k->writer->size() + need + 1024 > settings_.shard_bytes)))
                k->end_shard();
            if (!k->shard) k->start_shard();
            std::uint64_t before = k->writer->size();
            try {
                if (audio) k->writer->add_file(key + "." + ext, audio.get(), size, *path);
                k->writer->add_bytes(key + ".json", text);
            } catch (...) {
                k->writer->truncate(before);
                throw;
            }
            ++k->in_shard;
            added["dataset_shard"] = join(k->dir, k->shard_name);
        } else {
            json line = json::object();
            if (audio) {
                std::string name = key + "." + ext;
                std::string dest = join(k->dir, name);
                temp_file copy(dest);
                copy_file_bytes(audio.get(), copy.fd.get(), size, *path);
                copy.keep_as(dest);
                line["file_name"] = name;
                added["dataset_file"] = dest;
            }
            for (const auto& [field, value] : record.items())
                if (field != "file_name") line[field] = value;
            k->metadata_text += line.dump(-1, ' ', false, json::error_handler_t::strict);
            k->metadata_text += '\n';
            if (k->metadata_text.size() > (1u << 16)) k->flush_metadata();
        }
    }
    ++packed_;
    ++per_split_[split];
    record["dataset_key"] = key;
    if (!settings_.splits.empty()) record["dataset_split"] = settings_.splits[split].name;
    for (auto& [field, value] : added.items()) record[field] = value;
}

void packer::finish() {
    std::string all;
    for (auto& k : sinks_) {
        if (k->tar) {
            k->end_shard();
            std::string list;
            for (const auto& n : k->shard_names) {
                list += n + "\n";
                all += k->rel + n + "\n";
            }
            if (!settings_.splits.empty())
                write_file_atomic(join(k->dir, "shards.txt"), {reinterpret_cast<const std::uint8_t*>(list.data()), list.size()});
        } else {
            k->flush_metadata();
            k->metadata->keep_as(join(k->dir, "metadata.jsonl"));
        }
    }
    if (!settings_.shards_dir.empty())
        write_file_atomic(join(settings_.shards_dir, "shards.txt"),
                          {reinterpret_cast<const std::uint8_t*>(all.data()), all.size()});
    finished_ = true;
}

std::string packer::summary() const {
    auto reasons = [](const std::map<std::string, std::uint64_t>& m) {
        std::uint64_t total = 0;
        std::string why;
        for (const auto& [reason, n] : m) {
            total += n;
            why += (why.empty() ? "" : ", ") + std::to_string(n) + " " + reason;
        }
        return std::to_string(total) + (why.empty() ? "" : " (" + why + ")");
    };
    std::string s = "packed " + std::to_string(packed_) + " sample" + (packed_ == 1 ? "" : "s");
    if (!settings_.splits.empty()) {
        s += " (";
        for (std::size_t i = 0; i < settings_.splits.size(); ++i)
            s += (i ? ", " : "") + settings_.splits[i].name + " " + std::to_string(per_split_[i]);
        s += ")";
    }
    std::size_t shards = 0;
    for (const auto& k : sinks_)
        if (k->tar) shards += k->shard_names.size() + (k->shard ? 1 : 0);
    if (!settings_.shards_dir.empty()) s += " into " + std::to_string(shards) + " shard" + (shards == 1 ? "" : "s");
    s += "; skipped " + reasons(skipped_);
    s += "; failed " + reasons(failed_);
    return s;
}

}  // namespace vr::dataset
