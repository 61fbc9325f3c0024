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
// refers to what `to` does (the standard handle `which` too).
std::FILE* move_off(int fd, int to, DWORD which, const char* mode) {
    const int wire = _dup(fd);
    if (wire < 0) return nullptr;
    _setmode(wire, _O_BINARY);
    if (to >= 0 && _dup2(to, fd) == 0) SetStdHandle(which, reinterpret_cast<HANDLE>(_get_osfhandle(fd)));
    return _fdopen(wire, mode);
}

}  // namespace

worker_wire become_worker(int crash_status, std::uint32_t report_mark) {
    g_crash_status = crash_status;
    g_report_mark = report_mark;
    const int nul = _open("NUL", _O_RDONLY | _O_BINARY);
    worker_wire wire{move_off(0, nul, STD_INPUT_HANDLE, "rb"), move_off(1, 2, STD_OUTPUT_HANDLE, "wb")};
    if (nul >= 0) _close(nul);
    if (!wire.in || !wire.out) {  // none to spare: the wire stays where it was
        wire = {stdin, stdout};
        _setmode(_fileno(stdin), _O_BINARY);
        _setmode(_fileno(stdout), _O_BINARY);
    }
    g_wire_out = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(wire.out)));
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(report_crash);
    return wire;
}

}  // namespace vr::windows
