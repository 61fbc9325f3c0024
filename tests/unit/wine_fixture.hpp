// SPDX-License-Identifier: GPL-3.0-or-later
// One scratch wine prefix for the whole unit-test binary (a prefix takes
// seconds and hundreds of megabytes to make): made by the first test that
// asks for it, under the temporary folder, and removed after the last test,
// which fails if a wineserver of it is still running then. Without wine the
// tests that need it fail and say why.
#pragma once
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "wine/prefix_server.hpp"
#include "wine/wine_session.hpp"

namespace vr_test {

struct wine_scratch {
    std::string root;    // the folder of it all, removed at the end
    std::string prefix;  // root/prefix, made by wineboot
    std::string error;   // why there is none
};

// This process's environment with these NAME=value items put in place.
inline std::vector<std::string> environment_plus(const std::vector<std::string>& items) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string item = *e;
        bool replaced = false;
        for (const auto& i : items)
            replaced = replaced || item.compare(0, i.find('=') + 1, i, 0, i.find('=') + 1) == 0;
        if (!replaced) env.push_back(item);
    }
    env.insert(env.end(), items.begin(), items.end());
    return env;
}

inline wine_scratch make_wine_scratch() {
    wine_scratch s;
    const auto wine = vr::wine::find_wine();
    if (!wine) {
        s.error = "wine is not installed here (apt-get install wine wine64, or make deps): the wine tests cannot run";
        return s;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "vr-wine-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
        s.error = "cannot make a temporary folder for the scratch prefix";
        return s;
    }
    s.root = pattern;
    s.prefix = s.root + "/prefix";
    // No Mono or Gecko: render-one needs neither, and asking for them is slow.
    const auto env = environment_plus({"WINEPREFIX=" + s.prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="});
    const auto boot = vr::wine::run_quiet({wine->wine, "wineboot", "-i"}, env, 300);
    // wineboot returns before its server has saved the registry and gone.
    vr::wine::run_quiet({wine->wineserver, "-w"}, env, 60);
    if (boot.exit_code != 0 || !std::filesystem::exists(s.prefix + "/system.reg"))
        s.error = "wineboot -i did not make a prefix at " + s.prefix + " (exit " + std::to_string(boot.exit_code) + ")";
    return s;
}

inline const wine_scratch& scratch_prefix() {
    static const wine_scratch s = make_wine_scratch();
    return s;
}

// Removes the scratch prefix after the last test, if one was made.
struct remove_wine_scratch : ::testing::Environment {
    static inline bool made = false;
    void TearDown() override {
        if (!made) return;
        const auto& s = scratch_prefix();
        if (s.prefix.empty()) return;
        if (pid_t pid = vr::wine::server_pid(s.prefix); pid != 0) {
            ADD_FAILURE() << "a wineserver (pid " << pid << ") of the scratch prefix was left running";
            const auto wine = vr::wine::find_wine();
            auto env = vr::wine::worker_environment(s.prefix);
            vr::wine::run_quiet({wine->wineserver, "-k"}, env, 30);
            vr::wine::run_quiet({wine->wineserver, "-w"}, env, 30);
        }
        // What wine and prefix_server keep outside the prefix for it goes too:
        // Debian's wine-XXXXXX server folder (named in the prefix), our lock files.
        std::string key, server_folder;
        struct stat st {};
        if (::stat(s.prefix.c_str(), &st) == 0)
            key = (std::ostringstream() << std::hex << st.st_dev << "-" << st.st_ino).str();
        std::ifstream(s.prefix + "/wineserver") >> server_folder;
        std::error_code ignored;
        std::filesystem::remove_all(s.root, ignored);
        if (!key.empty())
            for (const char* ending : {".users", ".state"})
                std::filesystem::remove(vr::wine::default_lock_folder() + "/" + key + ending, ignored);
        if (server_folder.rfind("wine-", 0) == 0 && server_folder.find('/') == std::string::npos) {
            const char* tmpdir = ::getenv("TMPDIR");
            std::filesystem::remove_all(std::string(tmpdir && *tmpdir == '/' ? tmpdir : "/tmp") + "/" + server_folder,
                                        ignored);
        }
    }
};

// The scratch prefix, or a failed test saying why there is none.
#define VR_SCRATCH_PREFIX(var)                                         \
    vr_test::remove_wine_scratch::made = true;                        \
    const auto& var##_scratch = vr_test::scratch_prefix();            \
    ASSERT_TRUE(var##_scratch.error.empty()) << var##_scratch.error; \
    const std::string var = var##_scratch.prefix

}  // namespace vr_test
