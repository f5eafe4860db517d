//! Four f32 lanes: wasm simd128 in the browser, SSE on x86-64, plain arrays elsewhere. Written
//! by hand because LLVM vectorised the kernel's register tile across the wrong axis (shuffling
//! weights and spilling the accumulators, seen with `perf annotate`) when left to itself: six
//! renders natively took 82 ms that way against 49 ms with these lanes (a throwaway timing loop,
//! 2026-12-06).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::{
        f32x4_add, f32x4_mul, f32x4_pmax, f32x4_pmin, f32x4_splat, v128, v128_load, v128_store,
    };

    #[derive(Clone, Copy)]
    pub struct Lanes(v128);

    impl Lanes {
        pub fn splat(value: f32) -> Self {
            Self(f32x4_splat(value))
        }
        pub fn load(values: &[f32; 4]) -> Self {
            // SAFETY: 16 readable bytes; v128_load has no alignment requirement.
            Self(unsafe { v128_load(values.as_ptr().cast()) })
        }
        pub fn store(self, out: &mut [f32; 4]) {
            // SAFETY: 16 writable bytes; v128_store has no alignment requirement.
            unsafe { v128_store(out.as_mut_ptr().cast(), self.0) }
        }
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            Self(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        pub fn add(self, other: Self) -> Self {
            Self(f32x4_add(self.0, other.0))
        }
        pub fn clamp(self, low: Self, high: Self) -> Self {
            Self(f32x4_pmin(high.0, f32x4_pmax(low.0, self.0)))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use core::arch::x86_64::{
        __m128, _mm_add_ps, _mm_loadu_ps, _mm_max_ps, _mm_min_ps, _mm_mul_ps, _mm_set1_ps,
        _mm_storeu_ps,
    };

    #[derive(Clone, Copy)]
    pub struct Lanes(__m128);

    impl Lanes {
        pub fn splat(value: f32) -> Self {
            // SAFETY: SSE is part of every x86-64 target.
            Self(unsafe { _mm_set1_ps(value) })
        }
        pub fn load(values: &[f32; 4]) -> Self {
            // SAFETY: 16 readable bytes, unaligned load.
            Self(unsafe { _mm_loadu_ps(values.as_ptr()) })
        }
        pub fn store(self, out: &mut [f32; 4]) {
            // SAFETY: 16 writable bytes, unaligned store.
            unsafe { _mm_storeu_ps(out.as_mut_ptr(), self.0) }
        }
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            // SAFETY: SSE is part of every x86-64 target.
            Self(unsafe { _mm_add_ps(self.0, _mm_mul_ps(a.0, b.0)) })
        }
        pub fn add(self, other: Self) -> Self {
            // SAFETY: SSE is part of every x86-64 target.
            Self(unsafe { _mm_add_ps(self.0, other.0) })
        }
        pub fn clamp(self, low: Self, high: Self) -> Self {
            // SAFETY: SSE is part of every x86-64 target.
            Self(unsafe { _mm_min_ps(_mm_max_ps(self.0, low.0), high.0) })
        }
    }
}

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct Lanes([f32; 4]);

    impl Lanes {
        pub fn splat(value: f32) -> Self {
            Self([value; 4])
        }
        pub fn load(values: &[f32; 4]) -> Self {
            Self(*values)
        }
        pub fn store(self, out: &mut [f32; 4]) {
            *out = self.0;
        }
        pub fn mul_add(self, a: Self, b: Self) -> Self {
            Self(std::array::from_fn(|i| self.0[i] + a.0[i] * b.0[i]))
        }
        pub fn add(self, other: Self) -> Self {
            Self(std::array::from_fn(|i| self.0[i] + other.0[i]))
        }
        pub fn clamp(self, low: Self, high: Self) -> Self {
            Self(std::array::from_fn(|i| {
                self.0[i].max(low.0[i]).min(high.0[i])
            }))
        }
    }
}

/// `mul_add`: `self + a · b`, rounded twice (a multiply, then an add), as burn and ONNX Runtime
/// Web do without fused multiply-add. `clamp` is one instruction a bound (wasm's pseudo-min and
/// -max, SSE's minps and maxps) rather than the NaN-exact `f32.min`/`f32.max`, which V8 expands
/// to several.
pub use imp::Lanes;
