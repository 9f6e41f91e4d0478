/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel facilities fifo.c uses, so that the same file builds into
 * xenloop.ko and into the userspace tests, fuzzer and benchmark.
 *
 * Userspace mapping:
 *   READ_ONCE/WRITE_ONCE  relaxed __atomic loads and stores: one access of
 *                         the full width, never torn, never repeated and
 *                         visible to the C11 memory model (and to TSan).
 *   virt_rmb              acquire fence: earlier loads before later loads
 *                         (and stores).
 *   virt_wmb              release fence: earlier loads and stores before
 *                         later stores.
 *   virt_mb               sequentially consistent fence: also orders
 *                         earlier stores before later loads.
 *   noinline              glibc's __attribute_noinline__.
 * Together with the relaxed accesses these fences give at least the
 * ordering of the kernel's virt_*() barriers that fifo.c relies on.
 */
#ifndef _XENLOOP_FIFO_COMPAT_H
#define _XENLOOP_FIFO_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

#else /* !__KERNEL__ */

#include <endian.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/cdefs.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

#define virt_mb()	atomic_thread_fence(memory_order_seq_cst) /* full */
#define virt_rmb()	atomic_thread_fence(memory_order_acquire) /* loads */
#define virt_wmb()	atomic_thread_fence(memory_order_release) /* stores */

#define le16_to_cpu(x)		((u16)le16toh(x))
#define le32_to_cpu(x)		((u32)le32toh(x))
#define le64_to_cpu(x)		((u64)le64toh(x))
#define cpu_to_le16(x)		((__le16)htole16(x))
#define cpu_to_le32(x)		((__le32)htole32(x))
#define cpu_to_le64(x)		((__le64)htole64(x))

#define noinline		__attribute_noinline__	/* sys/cdefs.h */

#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

#endif /* __KERNEL__ */

#endif /* _XENLOOP_FIFO_COMPAT_H */
