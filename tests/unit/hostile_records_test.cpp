// SPDX-License-Identifier: GPL-3.0-or-later
// A record that cannot be written as UTF-8 JSON still says what went wrong
// and still counts as failed (found by tests/hostile-files.bats).
#include <gtest/gtest.h>

#include <unistd.h>

#include "core/records.hpp"

namespace {

// What a record_writer on a pipe writes for one record, and its exit code.
std::pair<vr::json, int> written(const vr::json& record) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    int code;
    {
        vr::record_writer w(fds[1]);
        w.write(record);
        code = w.exit_code();
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    return {vr::json::parse(text), code};
}

TEST(RecordWriter, AnErrorMessageQuotingBadBytesKeepsItsMeaningEscaped) {
    vr::json r = {{"preset_path", "/p/x.SerumPreset"}};
    vr::set_error(r, "/p/x.SerumPreset: bad JSON header at byte 141: last read: '\"t\xA3'");
    auto [out, code] = written(r);
    EXPECT_EQ(out["error"]["message"], "/p/x.SerumPreset: bad JSON header at byte 141: last read: '\"t\\xA3'");
    EXPECT_EQ(out["preset_path"], "/p/x.SerumPreset");
    EXPECT_EQ(code, 1);
}

TEST(RecordWriter, ARecordThatBecomesAnErrorOnTheWayOutCountsAsFailed) {
    auto [out, code] = written(vr::json{{"preset_name", "caf\xE9"}});
    EXPECT_EQ(out["status"], "error");
    EXPECT_EQ(out["error"]["message"], "record holds text that is not valid UTF-8");
    EXPECT_EQ(code, 1);
}

}  // namespace
