// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/worker_process.hpp"

#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <cstring>

namespace vr::windows {

namespace {

int g_crash_status = 1;
std::uint32_t g_report_mark = 0;

// Runs on the crashing thread, whatever state the heap is in: nothing here
// allocates. The module is named by the file that holds the faulting
// address (the plugin's DLL, most often).
LONG WINAPI report_crash(EXCEPTION_POINTERS* info) {
    char report[12 + MAX_PATH];
    const std::uint32_t mark = g_report_mark;
    const auto code = static_cast<std::uint32_t>(info->ExceptionRecord->ExceptionCode);
    char path[MAX_PATH] = "";
    HMODULE module = nullptr;
    if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           static_cast<LPCSTR>(info->ExceptionRecord->ExceptionAddress), &module))
        GetModuleFileNameA(module, path, MAX_PATH);
    const char* name = path;
    for (const char* c = path; *c; ++c)
        if (*c == '\\' || *c == '/') name = c + 1;
    const auto length = static_cast<std::uint32_t>(std::strlen(name));
    std::memcpy(report, &mark, 4);
    std::memcpy(report + 4, &code, 4);
    std::memcpy(report + 8, &length, 4);
    std::memcpy(report + 12, name, length);
    DWORD written = 0;
    WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), report, 12 + length, &written, nullptr);
    TerminateProcess(GetCurrentProcess(), static_cast<UINT>(g_crash_status));
    return EXCEPTION_EXECUTE_HANDLER;
}

}  // namespace

void become_worker(int crash_status, std::uint32_t report_mark) {
    g_crash_status = crash_status;
    g_report_mark = report_mark;
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(report_crash);
}

}  // namespace vr::windows
