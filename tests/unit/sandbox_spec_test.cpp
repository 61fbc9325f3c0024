// SPDX-License-Identifier: GPL-3.0-or-later
// Which sandboxed worker may serve which job (supervise/sandbox.hpp): a worker
// shows the folders bound when it started, so a job needing another folder,
// or another output root, must get a worker of its own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "supervise/sandbox.hpp"

namespace {

vr::sandbox_spec on(const std::string& root, std::vector<std::string> readable) {
    vr::sandbox_spec s;
    s.on = true;
    s.output_root = root;
    s.readable = std::move(readable);
    return s;
}

TEST(SandboxSpec, OffCoversOffOnly) {
    vr::sandbox_spec off;
    EXPECT_TRUE(off.covers(off));
    EXPECT_FALSE(off.covers(on("/out", {})));
    EXPECT_FALSE(on("/out", {}).covers(off));
}

TEST(SandboxSpec, OneOutputRootPerWorker) {
    EXPECT_TRUE(on("/out", {}).covers(on("/out", {})));
    EXPECT_FALSE(on("/out", {}).covers(on("/out2", {})));
}

TEST(SandboxSpec, ReadableFoldersAndTheirSubfolders) {
    const auto worker = on("/out", {"/home/a/presets", "/tmp/x"});
    EXPECT_TRUE(worker.covers(on("/out", {"/home/a/presets"})));
    EXPECT_TRUE(worker.covers(on("/out", {"/home/a/presets/bank1", "/tmp/x"})));
    EXPECT_FALSE(worker.covers(on("/out", {"/home/a"})));
    // A sibling whose name starts the same is not below it.
    EXPECT_FALSE(worker.covers(on("/out", {"/home/a/presets2"})));
    EXPECT_FALSE(worker.covers(on("/out", {"/tmp/x", "/root/y"})));
}

TEST(SandboxSpec, MergeKeepsEachFolderOnceSorted) {
    auto s = on("/out", {"/tmp/b", "/home/a"});
    s.merge(on("/out", {"/tmp/b", "/root/c"}));
    EXPECT_EQ(s.readable, (std::vector<std::string>{"/home/a", "/root/c", "/tmp/b"}));
    EXPECT_TRUE(s.covers(on("/out", {"/root/c", "/home/a/z"})));
}

TEST(SandboxSpec, WorkerMarkerIsTakenOnlyAtTheEnd) {
    std::string a0 = "render-one", a1 = vr::sandbox_worker_marker, a2 = "-o";
    char* argv1[] = {a0.data(), a1.data(), nullptr};
    int argc = 2;
    EXPECT_TRUE(vr::take_sandbox_worker_marker(argc, argv1));
    EXPECT_EQ(argc, 1);
    char* argv2[] = {a0.data(), a1.data(), a2.data(), nullptr};
    argc = 3;
    EXPECT_FALSE(vr::take_sandbox_worker_marker(argc, argv2));
    EXPECT_EQ(argc, 3);
}

}  // namespace
