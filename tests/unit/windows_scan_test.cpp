// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for plugin-scan's finding of Windows plugins (lib/plugins/
// plugin_scan*): which files the walk takes for Windows builds and where,
// a prefix's standard folders as roots, the job sent to the worker, and
// the records --no-load writes for them, on DLLs the tests write
// (pe_builder.hpp) in prefixes made of folders.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/handles.hpp"
#include "pe_builder.hpp"
#include "plugins/plugin_scan.hpp"
#include "plugins/plugin_scan_walk.hpp"

namespace {

namespace fs = std::filesystem;
using vr::plugin_format;
using strings = std::vector<std::string>;

void write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> dll(strings exports, bool pe32_plus = true) {
    vr_test::pe_spec spec;
    spec.exports = std::move(exports);
    spec.pe32_plus = pe32_plus;
    if (!pe32_plus) spec.machine = 0x014C;
    return vr_test::build_pe(spec).bytes;
}

// A prefix of folders: system.reg and an empty system32.
fs::path make_prefix(const fs::path& dir) {
    fs::create_directories(dir / "drive_c/windows/system32");
    std::ofstream(dir / "system.reg") << "WINE REGISTRY Version 2\n\n#arch=win64\n";
    return dir;
}

// "NAME FORMAT PLATFORM" of each plugin the walk finds under root (its
// path relative to base), or "NAME error" for a path it could not walk.
strings walked(const vr::scan_root& root, const fs::path& base) {
    strings got;
    vr::walk_plugins(root, [&](const vr::found_path& f) {
        std::string name = f.path.substr(base.string().size());
        got.push_back(f.format ? name + " " + vr::to_string(*f.format) + (f.windows ? " windows" : " linux")
                               : name + " error");
    });
    return got;
}

// The records scan_plugins writes without loading, one JSON text a line.
std::vector<vr::json> scanned(const std::vector<vr::scan_root>& roots, const vr::scan_settings& settings) {
    vr::unique_fd fd(::memfd_create("scan", MFD_CLOEXEC));
    EXPECT_TRUE(fd);
    {
        vr::record_writer out(fd.get());
        vr::scan_plugins(roots, nullptr, settings, out);
    }
    off_t size = ::lseek(fd.get(), 0, SEEK_END);
    std::string text(static_cast<std::size_t>(size), '\0');
    EXPECT_EQ(::pread(fd.get(), text.data(), text.size(), 0), size);
    std::vector<vr::json> records;
    for (std::size_t at = 0, end; at < text.size(); at = end + 1) {
        end = text.find('\n', at);
        records.push_back(vr::json::parse(text.substr(at, end - at)));
    }
    return records;
}

TEST(WindowsScanWalk, DllsAndWindowsBundlesAreWindowsPluginsWhereLookedFor) {
    vr::test::scratch_dir d;
    const fs::path root = d.path();
    write(root / "a/Synth.dll", dll({"VSTPluginMain"}));
    write(root / "a/UPPER.DLL", dll({"VSTPluginMain"}));
    write(root / "b/Win.vst3/Contents/x86_64-win/Win.vst3", dll({"GetPluginFactory"}));
    write(root / "b/Lin.vst3/Contents/x86_64-linux/Lin.so", {0x7F, 'E', 'L', 'F'});
    write(root / "c/native.so", {0x7F, 'E', 'L', 'F'});
    EXPECT_EQ(walked({root.string(), std::nullopt, false}, root),
              (strings{"/a/Synth.dll vst2 windows", "/a/UPPER.DLL vst2 windows", "/b/Lin.vst3 vst3 linux",
                       "/b/Win.vst3 vst3 windows", "/c/native.so vst2 linux"}));
    // A root that is a DLL is found itself.
    EXPECT_EQ(walked({(root / "a/Synth.dll").string(), std::nullopt, false}, root),
              (strings{"/a/Synth.dll vst2 windows"}));
    // The Linux standard locations stay Linux's: no DLL, and a Windows bundle
    // is a VST3 plugin as it always was (its load says what it is).
    for (const auto& r : vr::standard_scan_roots(root.string().c_str(), nullptr, nullptr)) {
        EXPECT_FALSE(r.windows);
        if (r.format == plugin_format::vst2) {
            EXPECT_EQ(walked(r, root), (strings{"/c/native.so vst2 linux"}));
        }
    }
    vr::scan_root linux_vst3{(root / "b").string(), plugin_format::vst3, true, false};
    EXPECT_EQ(walked(linux_vst3, root), (strings{"/b/Lin.vst3 vst3 linux", "/b/Win.vst3 vst3 linux"}));
}

TEST(WindowsScanWalk, APrefixGivesItsFourStandardFoldersEachForItsFormat) {
    const auto roots = vr::wine_scan_roots("/p");
    ASSERT_EQ(roots.size(), 4u);
    const strings paths{"/p/drive_c/Program Files/Common Files/VST3", "/p/drive_c/Program Files/VSTPlugins",
                        "/p/drive_c/Program Files/Steinberg/VstPlugins", "/p/drive_c/Program Files/Common Files/VST2"};
    for (std::size_t i = 0; i < roots.size(); ++i) {
        EXPECT_EQ(roots[i].path, paths[i]);
        EXPECT_EQ(roots[i].format, i == 0 ? plugin_format::vst3 : plugin_format::vst2);
        EXPECT_TRUE(roots[i].standard);  // a missing one is no error
        EXPECT_TRUE(roots[i].windows);
    }
    // Missing folders: nothing found, no error.
    int calls = 0;
    for (const auto& r : roots) vr::walk_plugins(r, [&](const vr::found_path&) { ++calls; });
    EXPECT_EQ(calls, 0);
}

TEST(WindowsScanJob, CrossesToTheWorkerWhole) {
    vr::scan_job job{"/x/S.vst3", plugin_format::vst3, "", true, true, "/home/u/.wine"};
    vr::scan_job back = vr::scan_job_from_json(vr::to_json(job));
    EXPECT_EQ(back.path, job.path);
    EXPECT_EQ(back.format, job.format);
    EXPECT_TRUE(back.params);
    EXPECT_TRUE(back.windows);
    EXPECT_EQ(back.wine_prefix, job.wine_prefix);
}

TEST(WindowsScanNoLoad, RecordsSayThePlatformAndWhatTheFilesShowWithoutWine) {
    vr::test::scratch_dir d;
    const fs::path root = d.path();
    const fs::path prefix = make_prefix(root / "prefix");
    write(root / "p/good.dll", dll({"VSTPluginMain"}));
    write(root / "p/old.dll", dll({"VSTPluginMain"}, false));
    vr_test::pe_spec needs;
    needs.exports = {"VSTPluginMain"};
    needs.imports = {"MFC140U.dll"};
    write(root / "p/needs.dll", vr_test::build_pe(needs).bytes);
    write(root / "p/native.so", {0x7F, 'E', 'L', 'F'});
    vr::scan_settings settings;
    settings.env = {prefix.string(), ""};
    const auto records = scanned({{(root / "p").string(), std::nullopt, false}}, settings);
    ASSERT_EQ(records.size(), 4u);
    auto field = [&](std::size_t i, const char* key) { return records[i].value(key, vr::json()).dump(); };
    EXPECT_EQ(field(0, "plugin_name"), "\"good\"");
    EXPECT_EQ(field(0, "plugin_platform"), "\"windows-x86_64\"");
    EXPECT_EQ(field(0, "wine_version"), "null");  // no wine ran
    EXPECT_EQ(field(0, "status"), "null");
    // Its fields in order: where it runs right after its format.
    strings keys;
    for (auto& [key, value] : records[0].items()) keys.push_back(key);
    EXPECT_EQ(strings(keys.begin(), keys.begin() + 5),
              (strings{"plugin_path", "plugin_format", "plugin_platform", "wine_version", "plugin_id"}));
    EXPECT_EQ(field(1, "plugin_platform"), "\"linux-x86_64\"");
    EXPECT_FALSE(records[1].contains("wine_version"));
    EXPECT_FALSE(records[1].contains("status"));
    EXPECT_EQ(records[2].at("error").at("message"), "cannot load plugin " + (root / "p/needs.dll").string() +
                                                        ": needs MFC140U.dll, not in this prefix (the Visual C++ runtime)");
    EXPECT_EQ(records[3].at("error").at("message"), "cannot load plugin " + (root / "p/old.dll").string() +
                                                        ": 32-bit Windows plugin; only 64-bit plugins are hosted");
    EXPECT_EQ(field(3, "plugin_format"), "\"vst2\"");
    // No prefix to look in: the file's own word only (its imports unread).
    settings.env = {(root / "none").string(), ""};
    const auto alone = scanned({{(root / "p/needs.dll").string(), std::nullopt, false}}, settings);
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_FALSE(alone[0].contains("status"));
}

}  // namespace
