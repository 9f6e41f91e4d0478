// SPDX-License-Identifier: GPL-2.0
/*
 * The memory and the event channel of one channel:
 *   - our control page, data area and grant directory: zeroed pages we
 *     own, granted read-only to the peer;
 *   - the peer's control page and data area, mapped read-only into
 *     unpopulated (or ballooned) pages from gnttab_alloc_pages(), never
 *     over memory we own, so that it works in PV and PVH guests;
 *   - the interdomain event channel.
 *
 * Mapping, PV versus PVH.  An auto-translated (PVH) guest maps a grant at
 * a guest-physical frame: map each grant at its page's frame, then vmap()
 * the pages.  A PV guest cannot point a page-table entry at a frame it
 * does not own, so vmap() after the grant map would fault; instead we
 * vmap() the still-empty pages first (their p2m entries are invalid, so
 * the entries are made not-present, but the page tables now exist) and
 * let Xen write each entry with GNTMAP_host_map at that virtual address,
 * as xenbus does for PV rings.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>

#include "cp.h"

/* Grant references per directory page (little-endian u32 each). */
#define XL_REFS_PER_DIR	(XL_PAGE_SIZE / sizeof(__le32))

static void own_end_grants(struct xl_own *own)
{
	unsigned int i, total = own->nr_data + own->nr_dir;

	/*
	 * gnttab_end_foreign_access() frees each page once the peer no
	 * longer maps it: at once, or later from the grant table's deferred
	 * list if the peer still holds a mapping (it may be hostile, dead
	 * or just slow).  The page is never reused before that.
	 */
	for (i = 0; i < total; i++) {
		if (!own->pages[i])
			continue;
		if (i < own->nr_granted) {
			gnttab_end_foreign_access(own->refs[i], own->pages[i]);
			atomic_dec(&xl_cp.st.grants);
		} else {
			__free_page(own->pages[i]);
		}
		own->pages[i] = NULL;
	}
	own->nr_granted = 0;
	if (own->ctrl_page) {
		if (own->ctrl_granted) {
			gnttab_end_foreign_access(own->ctrl_ref, own->ctrl_page);
			atomic_dec(&xl_cp.st.grants);
		} else {
			__free_page(own->ctrl_page);
		}
		own->ctrl_page = NULL;
		own->ctrl_granted = false;
	}
}

void xl_own_free(struct xl_own *own)
{
	if (own->data) {
		vunmap(own->data);
		own->data = NULL;
	}
	if (own->pages)
		own_end_grants(own);
	kvfree(own->pages);
	kvfree(own->refs);
	own->pages = NULL;
	own->refs = NULL;
}

static int own_grant(struct xl_own *own, domid_t peer, struct page *page,
		     grant_ref_t *ref)
{
	int r = gnttab_grant_foreign_access(peer, xen_page_to_gfn(page), 1);

	if (unlikely(r < 0))
		return r;
	*ref = r;
	atomic_inc(&xl_cp.st.grants);
	return 0;
}

int xl_own_alloc(struct xl_own *own, domid_t peer, unsigned int order,
		 u32 features)
{
	unsigned int i, total;
	struct xl_ctrl_page *ctrl;
	__le32 *dir;
	int err = -ENOMEM;

	memset(own, 0, sizeof(*own));
	own->order = order;
	own->nr_data = 1u << order;
	own->nr_dir = DIV_ROUND_UP(own->nr_data, XL_REFS_PER_DIR);
	total = own->nr_data + own->nr_dir;
	own->pages = kvcalloc(total, sizeof(*own->pages), GFP_KERNEL);
	own->refs = kvcalloc(total, sizeof(*own->refs), GFP_KERNEL);
	if (unlikely(!own->pages || !own->refs))
		goto err;

	/* Every page is zeroed before it is granted (design invariant 2). */
	own->ctrl_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (unlikely(!own->ctrl_page))
		goto err;
	for (i = 0; i < total; i++) {
		own->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (unlikely(!own->pages[i]))
			goto err;
	}
	own->data = vmap(own->pages, own->nr_data, VM_MAP, PAGE_KERNEL);
	if (unlikely(!own->data))
		goto err;

	for (i = 0; i < total; i++) {
		err = own_grant(own, peer, own->pages[i], &own->refs[i]);
		if (unlikely(err))
			goto err;
		own->nr_granted = i + 1;
	}
	/* The directory lists the data pages' references, in order. */
	for (i = 0; i < own->nr_data; i++) {
		dir = page_address(own->pages[own->nr_data +
					      i / XL_REFS_PER_DIR]);
		dir[i % XL_REFS_PER_DIR] = cpu_to_le32(own->refs[i]);
	}
	ctrl = page_address(own->ctrl_page);
	xl_fifo_ctrl_init(ctrl, order, features);
	err = own_grant(own, peer, own->ctrl_page, &own->ctrl_ref);
	if (unlikely(err))
		goto err;
	own->ctrl_granted = true;
	return 0;

err:
	xl_own_free(own);
	return err;
}

void xl_unmap_peer(struct xl_map *m)
{
	bool pv = !xen_feature(XENFEAT_auto_translated_physmap);
	struct gnttab_unmap_grant_ref *ops;
	struct page **mapped;
	unsigned int i, n = 0;
	unsigned long addr;

	if (!m->pages)
		return;
	/* PVH: drop our view first; the frames go away with the unmap. */
	if (!pv && m->addr) {
		vunmap(m->addr);
		m->addr = NULL;
	}
	if (m->nr_mapped) {
		ops = kvcalloc(m->nr, sizeof(*ops), GFP_KERNEL | __GFP_NOFAIL);
		mapped = kvcalloc(m->nr, sizeof(*mapped),
				  GFP_KERNEL | __GFP_NOFAIL);
		for (i = 0; i < m->nr; i++) {
			if (m->handles[i] == INVALID_GRANT_HANDLE)
				continue;
			if (pv)
				addr = (unsigned long)m->addr + i * PAGE_SIZE;
			else
				addr = (unsigned long)pfn_to_kaddr(page_to_xen_pfn(m->pages[i]));
			gnttab_set_unmap_op(&ops[n], addr, GNTMAP_host_map,
					    m->handles[i]);
			mapped[n++] = m->pages[i];
			m->handles[i] = INVALID_GRANT_HANDLE;
		}
		/* Nobody else holds a reference to these pages. */
		if (gnttab_unmap_refs(ops, NULL, mapped, n))
			pr_err("unmapping %u peer pages failed\n", n);
		for (i = 0; i < n; i++)
			if (ops[i].status != GNTST_okay)
				pr_err("unmap of a peer page: status %d\n",
				       ops[i].status);
		atomic_sub(m->nr_mapped, &xl_cp.st.maps);
		m->nr_mapped = 0;
		kvfree(mapped);
		kvfree(ops);
	}
	/* PV: Xen cleared the entries; now release the virtual range. */
	if (m->addr)
		vunmap(m->addr);
	m->addr = NULL;
	gnttab_free_pages(m->nr, m->pages);
	kvfree(m->pages);
	kvfree(m->handles);
	m->pages = NULL;
	m->handles = NULL;
}

int xl_map_peer(struct xl_map *m, domid_t peer, const grant_ref_t *refs,
		unsigned int nr)
{
	bool pv = !xen_feature(XENFEAT_auto_translated_physmap);
	struct gnttab_map_grant_ref *ops;
	unsigned int i, bad = 0;
	unsigned long addr;
	int err;

	memset(m, 0, sizeof(*m));
	m->nr = nr;
	m->pages = kvcalloc(nr, sizeof(*m->pages), GFP_KERNEL);
	m->handles = kvcalloc(nr, sizeof(*m->handles), GFP_KERNEL);
	ops = kvcalloc(nr, sizeof(*ops), GFP_KERNEL);
	if (unlikely(!m->pages || !m->handles || !ops)) {
		err = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < nr; i++)
		m->handles[i] = INVALID_GRANT_HANDLE;
	err = gnttab_alloc_pages(nr, m->pages);
	if (unlikely(err))
		goto err_free;

	if (pv) {
		m->addr = vmap(m->pages, nr, VM_MAP, PAGE_KERNEL_RO);
		if (unlikely(!m->addr)) {
			err = -ENOMEM;
			goto err_pages;
		}
	}
	for (i = 0; i < nr; i++) {
		if (pv)
			addr = (unsigned long)m->addr + i * PAGE_SIZE;
		else
			addr = (unsigned long)pfn_to_kaddr(page_to_xen_pfn(m->pages[i]));
		gnttab_set_map_op(&ops[i], addr,
				  GNTMAP_host_map | GNTMAP_readonly,
				  refs[i], peer);
	}
	err = gnttab_map_refs(ops, NULL, m->pages, nr);
	for (i = 0; i < nr; i++) {
		if (ops[i].status == GNTST_okay) {
			m->handles[i] = ops[i].handle;
			m->nr_mapped++;
		} else if (!bad++) {
			pr_debug("map of ref %u from d%u: status %d\n",
				 refs[i], peer, ops[i].status);
		}
	}
	atomic_add(m->nr_mapped, &xl_cp.st.maps);
	kvfree(ops);
	ops = NULL;
	if (unlikely(err || bad)) {
		/* A bad reference is the peer's fault: the caller says so. */
		err = err ?: -EACCES;
		goto err_unmap;
	}
	if (!pv) {
		m->addr = vmap(m->pages, nr, VM_MAP, PAGE_KERNEL_RO);
		if (unlikely(!m->addr)) {
			err = -ENOMEM;
			goto err_unmap;
		}
	}
	return 0;

err_unmap:
	xl_unmap_peer(m);
	return err;
err_pages:
	gnttab_free_pages(nr, m->pages);
err_free:
	kvfree(ops);
	kvfree(m->pages);
	kvfree(m->handles);
	m->pages = NULL;
	m->handles = NULL;
	return err;
}

/*
 * The lower domid of a pair allocates the event channel as an unbound
 * port the higher one may bind (Documentation/control-plane.md, 5.1).
 */
int xl_evtchn_alloc(domid_t peer, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = peer,
	};
	int err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (unlikely(err))
		return err;
	*port = op.port;
	atomic_inc(&xl_cp.st.evtchns);
	return 0;
}

/* Close a port that was allocated but never bound to an IRQ. */
void xl_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &op))
		pr_err("cannot close event channel %u\n", port);
	atomic_dec(&xl_cp.st.evtchns);
}
