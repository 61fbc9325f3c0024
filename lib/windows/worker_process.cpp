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
HANDLE g_wire_out = INVALID_HANDLE_VALUE;

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
    WriteFile(g_wire_out, report, 12 + length, &written, nullptr);
    TerminateProcess(GetCurrentProcess(), static_cast<UINT>(g_crash_status));
    return EXCEPTION_EXECUTE_HANDLER;
}

// Descriptor fd duplicated as the wire's, in binary mode; fd itself then
// refers to what `to` does (the standard handle `which` too). Nothing
// changed when there is no duplicate to be had.
std::FILE* move_off(int fd, int to, DWORD which, const char* mode) {
    const int copy = _dup(fd);
    if (copy < 0) return nullptr;
    std::FILE* wire = _fdopen(copy, mode);
    if (!wire) {
        _close(copy);
        return nullptr;
    }
    _setmode(copy, _O_BINARY);
    if (to >= 0 && _dup2(to, fd) == 0) SetStdHandle(which, reinterpret_cast<HANDLE>(_get_osfhandle(fd)));
    return wire;
}

// Where fd could not be moved off, the wire stays on it.
std::FILE* kept_on(std::FILE* wire, std::FILE* standard) {
    if (wire) return wire;
    _setmode(_fileno(standard), _O_BINARY);
    return standard;
}

}  // namespace

worker_wire become_worker(int crash_status, std::uint32_t report_mark) {
    g_crash_status = crash_status;
    g_report_mark = report_mark;
    const int nul = _open("NUL", _O_RDONLY | _O_BINARY);
    const worker_wire wire{kept_on(move_off(0, nul, STD_INPUT_HANDLE, "rb"), stdin),
                           kept_on(move_off(1, 2, STD_OUTPUT_HANDLE, "wb"), stdout)};
    if (nul >= 0) _close(nul);
    g_wire_out = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(wire.out)));
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(report_crash);
    return wire;
}

}  // namespace vr::windows
