// SPDX-License-Identifier: GPL-3.0-or-later
// dataset-pack's packing: result records and their audio into WebDataset
// tar shards and a Hugging Face audiofolder, split by a stable hash.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/records.hpp"

namespace vr::dataset {

struct split_spec {
    std::string name;
    double fraction = 1;
};

// "train=0.9,validation=0.1": names of letters, digits, '-' and '_', each
// once, fractions > 0 summing to 1. Throws usage_error.
std::vector<split_spec> parse_splits(const std::string& text);

// The split a key falls in: the first 8 bytes of the SHA-256 of its text,
// read big-endian, over 2^64, against the running sum of the fractions in
// the order given. The same key always falls in the same split.
std::size_t split_of(std::string_view key, const std::vector<split_spec>& splits);

// The text of a record's split key: a string field's value, any other
// value's compact JSON. Throws record_error when the field is missing.
std::string split_key_text(const json& record, const std::string& field);

struct pack_settings {
    std::string shards_dir;       // --shards; "" for none
    std::string audiofolder_dir;  // --audiofolder; "" for none
    std::uint64_t shard_size = 0;            // samples a shard; 0: no limit
    std::uint64_t shard_bytes = 1ULL << 30;  // bytes a shard; 0: no limit
    std::vector<split_spec> splits;          // empty: no split
    std::string split_key = "output_path";
    bool include_errors = false;
};

class packer {
public:
    // Makes the folders; throws usage_error when one already holds a
    // dataset (shards.txt, metadata.jsonl or a shard).
    explicit packer(pack_settings settings);
    // A packer not finished removes its temporaries: no half-written shard,
    // file or metadata is left behind.
    ~packer();
    packer(const packer&) = delete;
    packer& operator=(const packer&) = delete;

    // Packs one record (status ok, or an error with include_errors) and adds
    // dataset_key, dataset_split, dataset_shard, dataset_file to it. Throws
    // record_error (the sample is not packed, nothing of it stays).
    void add(json& record);
    // Counts a record not packed, under the reason given.
    void skip(const std::string& why) { ++skipped_[why]; }
    // Counts a record that failed to pack.
    void failed(const std::string& why) { ++failed_[why]; }
    // Ends the shards, writes shards.txt and metadata.jsonl.
    void finish();
    // "packed N samples (...) into M shards; skipped K (...); failed F (...)".
    std::string summary() const;

    struct sink;

private:
    pack_settings settings_;
    std::vector<std::unique_ptr<sink>> sinks_;  // one per split and layout
    std::uint64_t packed_ = 0;
    std::vector<std::uint64_t> per_split_;
    std::map<std::string, std::uint64_t> skipped_, failed_;
    bool finished_ = false;
};

}  // namespace vr::dataset
