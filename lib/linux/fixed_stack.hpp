// SPDX-License-Identifier: GPL-3.0-or-later
// The fixed stack a plugin call runs on, and whether this process's
// addresses are randomized (render-one(1), Reproducibility).
//
// A plugin that reads a local variable it never set reads what earlier
// calls left on the stack, at addresses that move with the environment's
// size and with ASLR. on_fixed_stack runs the call on a stack of our own at
// fixed_stack_base, entered with every general and vector register but the
// argument zeroed, whose bytes below the entry are zero at every entry:
// after each call, the bytes it dirtied are zeroed again (found by scanning
// down from the entry until clean_run zero bytes follow the last dirty
// one: a frame with a larger untouched array above dirty bytes below would
// leave those). Measured on the 2-core build VM: about 0.2 us a call that
// dirties up to 1 KiB (40 ns of it the switch), 0.45 us for 4 KiB; a
// forked job's child copies one or two stack pages more.
//
// One thread at a time has the stack: a call on another thread meanwhile,
// and a call made from inside a call, runs where it is. An exception thrown
// inside is caught on the fixed stack and rethrown on the caller's. In a
// sanitized build (AddressSanitizer keeps its own idea of each stack) calls
// run where they are.
#pragma once
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>

namespace vr {

constexpr std::uintptr_t fixed_stack_base = 0x3e0000000000;  // its lowest address
constexpr std::size_t fixed_stack_bytes = std::size_t{8} << 20;
constexpr std::size_t clean_run = 2048;

// Runs fn(arg) on the fixed stack where it can (above), else here. fn must
// not throw.
void run_on_fixed_stack(void (*fn)(void*), void* arg) noexcept;

// Whether calls switch stacks in this build and process (the stack could be
// mapped, not sanitized).
bool fixed_stack_available() noexcept;

// Whether this process's address space is laid out without randomization:
// its personality has ADDR_NO_RANDOMIZE (render-one sets it for its host)
// or the kernel randomizes nothing (randomize_va_space 0).
bool addresses_fixed() noexcept;

// Runs f() on the fixed stack and returns what it returns; what it throws
// is thrown here.
template <typename F>
auto on_fixed_stack(F& f) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
        struct call {
            F* f;
            std::exception_ptr error;
        } c{&f, nullptr};
        run_on_fixed_stack(
            [](void* p) noexcept {
                auto* c = static_cast<call*>(p);
                try {
                    (*c->f)();
                } catch (...) {
                    c->error = std::current_exception();
                }
            },
            &c);
        if (c.error) std::rethrow_exception(c.error);
    } else {
        using held = std::conditional_t<std::is_reference_v<R>, std::remove_reference_t<R>*, R>;
        struct call {
            F* f;
            std::optional<held> result;
            std::exception_ptr error;
        } c{&f, std::nullopt, nullptr};
        run_on_fixed_stack(
            [](void* p) noexcept {
                auto* c = static_cast<call*>(p);
                try {
                    if constexpr (std::is_reference_v<R>)
                        c->result.emplace(&(*c->f)());
                    else
                        c->result.emplace((*c->f)());
                } catch (...) {
                    c->error = std::current_exception();
                }
            },
            &c);
        if (c.error) std::rethrow_exception(c.error);
        if constexpr (std::is_reference_v<R>)
            return static_cast<R>(**c.result);
        else
            return std::move(*c.result);
    }
}

}  // namespace vr
