// SPDX-License-Identifier: GPL-3.0-or-later
// audio-probe: a test helper that reads an audio file with lib/ and prints
// what the render-one tests assert on: its shape and measurements as one JSON
// record, or (--samples) channel 0's samples, one per line.
#include <cstdio>

#include "audio/file.hpp"
#include "audio/measure.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"

namespace {

int run(int argc, char** argv) {
    vr::cli cli("FILE", "Print an audio file's frames, channels, rate, peak and RMS (test helper).");
    cli.add()("samples", "print channel N's samples, one per line, instead", cxxopts::value<int>(), "N");
    if (!cli.parse(argc, argv)) return 0;
    if (cli.operands().size() != 1) vr::cli::throw_usage("give one audio file");
    auto audio = vr::read_audio_file(cli.operands()[0]);
    if (cli.has("samples")) {
        int ch = cli.get<int>("samples");
        if (ch < 0 || ch >= audio.channels) vr::cli::throw_usage("no such channel");
        for (std::size_t i = 0; i < audio.frames(); ++i)
            std::printf("%.9g\n", static_cast<double>(audio.samples[i * audio.channels + ch]));
        return 0;
    }
    vr::json r{{"frames", audio.frames()}, {"channels", audio.channels}, {"sample_rate_hz", audio.sample_rate}};
    vr::put_measures(r, vr::measure_audio(audio, -90));
    vr::record_writer out;
    out.write(r);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("audio-probe", argc, argv, run); }
