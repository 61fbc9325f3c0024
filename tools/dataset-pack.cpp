// SPDX-License-Identifier: GPL-3.0-or-later
// dataset-pack: result records and their audio into WebDataset tar shards
// and a Hugging Face audiofolder.
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "dataset/pack.hpp"
#include "jobs/tempo_fields.hpp"

namespace {

// "1000000", "512k", "100M", "1G" (powers of 1024).
std::uint64_t parse_bytes(const std::string& text) {
    std::size_t digits = text.find_first_not_of("0123456789");
    std::string suffix = digits == std::string::npos ? "" : text.substr(digits);
    int shift = suffix.empty() ? 0 : suffix == "k" || suffix == "K" ? 10 : suffix == "M" ? 20 : suffix == "G" ? 30 : -1;
    if (digits == 0 || shift < 0 || digits > 12)
        vr::cli::throw_usage("--shard-bytes '" + text + "': a number of bytes, with k, M or G after it if you like");
    std::uint64_t n = std::stoull(text.substr(0, digits)) << shift;
    if (n < 4096) vr::cli::throw_usage("--shard-bytes must be at least 4096");
    return n;
}

int run(int argc, char** argv) {
    vr::cli cli("< results", "Pack rendered results into WebDataset tar shards or a Hugging Face audiofolder.");
    cli.add()("shards", "write WebDataset shards DIR/000000.tar ... and DIR/shards.txt", cxxopts::value<std::string>(),
              "DIR")("shard-size", "samples a shard (default: no limit)", cxxopts::value<std::uint64_t>(), "N")(
        "shard-bytes", "bytes a shard, at most (k, M, G suffixes; default 1G)", cxxopts::value<std::string>(), "B")(
        "audiofolder", "write a Hugging Face audiofolder: the files and DIR/metadata.jsonl",
        cxxopts::value<std::string>(), "DIR")(
        "split", "split by a stable hash of --split-key, as train=0.9,validation=0.1", cxxopts::value<std::string>(),
        "LIST")("split-key", "the field whose value picks a record's split",
                cxxopts::value<std::string>()->default_value("output_path"), "FIELD")(
        "include-errors", "pack records with status error too (their record, and audio if there is a file)");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty()) vr::cli::throw_usage("dataset-pack reads records on standard input; it takes no operands");

    vr::dataset::pack_settings settings;
    if (cli.has("shards")) settings.shards_dir = cli.get<std::string>("shards");
    if (cli.has("audiofolder")) settings.audiofolder_dir = cli.get<std::string>("audiofolder");
    if (settings.shards_dir.empty() && settings.audiofolder_dir.empty())
        vr::cli::throw_usage("give --shards DIR or --audiofolder DIR (or both): where to pack");
    if (!settings.shards_dir.empty() && settings.shards_dir == settings.audiofolder_dir)
        vr::cli::throw_usage("--shards and --audiofolder need folders of their own");
    if ((cli.has("shard-size") || cli.has("shard-bytes")) && settings.shards_dir.empty())
        vr::cli::throw_usage("--shard-size and --shard-bytes go with --shards");
    if (cli.has("shard-size")) {
        settings.shard_size = cli.get_in_range<std::uint64_t>("shard-size", 1, UINT32_MAX);
        settings.shard_bytes = 0;
    }
    if (cli.has("shard-bytes")) settings.shard_bytes = parse_bytes(cli.get<std::string>("shard-bytes"));
    if (cli.has("split")) settings.splits = vr::dataset::parse_splits(cli.get<std::string>("split"));
    settings.split_key = cli.get<std::string>("split-key");
    settings.include_errors = cli.has("include-errors");

    vr::dataset::packer packer(settings);
    vr::record_writer out;
    vr::record_loop_options loop;
    loop.pass_errors = false;
    loop.pass_skipped = false;
    int code = vr::for_each_record(
        0, out,
        [&](vr::json&& record, vr::record_writer& w) {
            auto status = record.find("status");
            bool ok = status != record.end() && *status == "ok";
            if (!ok && !(settings.include_errors && vr::is_error(record))) {
                packer.skip(status == record.end() || !status->is_string() ? "without a status"
                                                                          : "status " + status->get<std::string>());
                w.write(record);
                return;
            }
            // A dataset's tempo columns hold one type each: a bad value fails its record.
            try {
                vr::job_bpm(record);
                vr::job_time_signature(record);
            } catch (const vr::record_error&) {
                packer.failed("bad bpm or time_signature");
                throw;
            }
            try {
                packer.add(record);
            } catch (const vr::record_error& e) {
                std::string why = e.what();
                packer.failed(why.find("audio") != std::string::npos     ? "audio missing or unreadable"
                              : why.find("--split-key") != std::string::npos ? "no split key"
                                                                             : "unreadable record");
                throw;
            }
            w.write(record);
        },
        loop);
    packer.finish();
    vr::warn(packer.summary());
    return code;
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("dataset-pack", argc, argv, run); }
