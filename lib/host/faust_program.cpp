// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/faust_program.hpp"

#include <dlfcn.h>
#include <faust/dsp/interpreter-dsp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <utility>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "linux/child.hpp"

namespace vr::host {

namespace {

// libfaust, and LLVM with a dozen more libraries under it, is opened when a
// Faust program is first met, not linked: linked, its relocations were 85%
// of render-one's start-up (80 ms and 3,400 page faults before main), and
// its libraries' mappings were in every worker, copied at each fork, in
// runs that never play a Faust program. Three entry points are all we call;
// the rest are virtual calls on what they return. Their names are the C++
// ABI's for the declarations in interpreter-dsp.h (decltype keeps the
// types those of the header).
struct faust_library {
    decltype(&createInterpreterDSPFactoryFromString) create = nullptr;
    decltype(&readInterpreterDSPFactoryFromBitcode) read = nullptr;
    decltype(&writeInterpreterDSPFactoryToBitcode) write = nullptr;
};

const faust_library& libfaust() {
    // A failed load throws, and the next use tries again.
    static const faust_library lib = [] {
        void* handle = ::dlopen("libfaust.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!handle)
            throw record_error(std::string("Faust programs need libfaust (Debian's libfaust2): ") + ::dlerror());
        faust_library l;
        l.create = reinterpret_cast<decltype(l.create)>(::dlsym(
            handle, "_Z37createInterpreterDSPFactoryFromStringRKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEES6_iPPKcRS4_"));
        l.read = reinterpret_cast<decltype(l.read)>(::dlsym(
            handle, "_Z36readInterpreterDSPFactoryFromBitcodeRKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEERS4_"));
        l.write = reinterpret_cast<decltype(l.write)>(
            ::dlsym(handle, "_Z35writeInterpreterDSPFactoryToBitcodeB5cxx11P23interpreter_dsp_factory"));
        if (!l.create || !l.read || !l.write)
            throw record_error("libfaust.so.2 lacks the interpreter's entry points: not the libfaust render-one was built for");
        return l;
    }();
    return lib;
}

faust_options g_options;
std::optional<double> g_compile_s;
constexpr std::size_t max_program_bytes = 16 << 20;

std::string text_sha256(const std::string& text) {
    return sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// The process's address space now, in bytes (/proc/self/statm's first field).
std::uint64_t address_space_now() {
    unsigned long long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
        std::fclose(f);
    }
    return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// In the compiling child: at most max_mb more address space than it has.
// Never raised, only lowered (a sanitizer build's huge reservations are
// already counted in what it has).
void cap_address_space(int max_mb) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_AS, &limit) != 0) return;
    const std::uint64_t want = address_space_now() + static_cast<std::uint64_t>(max_mb) * 1024 * 1024;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur <= want) return;
    limit.rlim_cur = want;
    ::setrlimit(RLIMIT_AS, &limit);
}

// libfaust says "NAME : LINE : ERROR : what": as a diagnostic, "NAME:LINE: what".
std::string compile_message(std::string error) {
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    const auto first = error.find(" : "), mark = error.find(" : ERROR : ");
    if (first == std::string::npos || mark == std::string::npos || mark <= first) return error;
    return error.substr(0, first) + ":" + error.substr(first + 3, mark - first - 3) + ": " + error.substr(mark + 11);
}

// What the compiling child sends: 'E' and the message, or 'B' and the bitcode.
std::string compile_in_child(const std::string& name, const std::string& text, const std::vector<std::string>& dirs) {
    // Loaded before the cap, which is on what the compile adds.
    const faust_library* lib = nullptr;
    try {
        lib = &libfaust();
    } catch (const record_error& e) {
        return "E" + std::string(e.what());
    }
    cap_address_space(g_options.max_mb);
    std::vector<const char*> argv;
    for (const auto& d : dirs) {
        argv.push_back("-I");
        argv.push_back(d.c_str());
    }
    std::string error;
    interpreter_dsp_factory* factory = nullptr;
    try {
        factory = lib->create(name, text, static_cast<int>(argv.size()), argv.data(), error);
        if (factory) delete factory->createDSPInstance();
    } catch (const std::bad_alloc&) {
        return "Eit needs more than --faust-max-mb " + std::to_string(g_options.max_mb) + " MB";
    } catch (const std::exception& e) {
        return "E" + std::string(e.what());
    }
    if (!factory) return "E" + (error.empty() ? std::string("no message") : compile_message(error));
    return "B" + lib->write(factory);
}

}  // namespace

void use_faust_options(const faust_options& options) { g_options = options; }
const faust_options& faust_settings() { return g_options; }

std::string faust_source(const plugin_ref& ref) {
    if (!ref.code.empty()) return ref.code;
    auto bytes = read_file(ref.location, max_program_bytes);
    return std::string(bytes.begin(), bytes.end());
}

std::optional<std::string> faust_sha256(const plugin_ref& ref) {
    try {
        return text_sha256(faust_source(ref));
    } catch (const record_error&) {
        return std::nullopt;
    }
}

interpreter_dsp_factory& faust_factory(const plugin_ref& ref) {
    // Kept until the process ends: deleting them at exit could outlive
    // libfaust's own globals.
    static std::map<std::string, interpreter_dsp_factory*> compiled;
    const std::string text = faust_source(ref);
    const std::string key = text_sha256(text);
    if (auto known = compiled.find(key); known != compiled.end()) return *known->second;

    // Import folders: the user's, the program file's own, then Debian's.
    std::vector<std::string> dirs = g_options.libs;
    if (ref.code.empty()) dirs.push_back(std::filesystem::path(ref.location).parent_path().string());
    dirs.push_back("/usr/share/faust");
    const std::string name = ref.code.empty() ? ref.location : "faust_code";
    const auto start = std::chrono::steady_clock::now();
    // No time limit of its own: the supervisor's timeout covers the worker.
    child_outcome child = run_in_child([&] { return compile_in_child(name, text, dirs); }, 0);
    if (!child.ok || child.answer.empty()) {
        const std::string how = child.signal ? std::string("died of signal SIG") + sigabbrev_np(child.signal)
                                             : "exited with status " + std::to_string(child.exit_code);
        throw record_error("Faust compile of " + name + " " + how + ": it ran out of memory (a compile may use " +
                           std::to_string(g_options.max_mb) + " MB more, --faust-max-mb) or crashed");
    }
    if (child.answer[0] == 'E') throw record_error("Faust compile failed: " + child.answer.substr(1));
    std::string error;
    interpreter_dsp_factory* factory = libfaust().read(child.answer.substr(1), error);
    if (!factory) throw record_error("Faust: cannot read back the compiled " + name + ": " + error);
    // A chain of several new programs pays for each.
    g_compile_s = g_compile_s.value_or(0) + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return *compiled.emplace(key, factory).first->second;
}

std::optional<double> take_faust_compile_s() { return std::exchange(g_compile_s, std::nullopt); }

}  // namespace vr::host
