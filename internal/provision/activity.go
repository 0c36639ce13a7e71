package provision

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Defaults of the provisioning activity log (Config.ActivityRetention,
// ActivityKeep and ActivityQueue).
const (
	// DefaultActivityRetention is how long activity records are kept.
	DefaultActivityRetention = 30 * 24 * time.Hour
	// DefaultActivityKeep is how many records are kept per team at most.
	DefaultActivityKeep = 10_000
	// DefaultActivityQueue is how many records may wait in memory for the
	// writer; more are dropped (and counted, see ActivityDropped).
	DefaultActivityQueue = 2000
)

// Timing of the activity writer.
const (
	// activityBatch is the most records one write carries; a full batch
	// is written at once.
	activityBatch = 200
	// activityFlushInterval is the longest a record waits in memory.
	activityFlushInterval = 250 * time.Millisecond
	// activityPruneInterval is how often the teams that recorded activity
	// are pruned.
	activityPruneInterval = time.Minute
	// activityFullPruneInterval is how often every team is pruned (so a
	// team that went quiet still loses records past the retention).
	activityFullPruneInterval = time.Hour
	// activityPruneBatch is the most rows one PruneActivity call deletes
	// (the store's bound); a call that deletes that many is repeated.
	activityPruneBatch = 5000
	// activityWriteTimeout bounds one write or prune transaction.
	activityWriteTimeout = 10 * time.Second
	// maxActivityTeams bounds the set of teams remembered for pruning.
	maxActivityTeams = 100_000
)

// activityLog is the recorder of a Service: a bounded queue and one
// writer goroutine, started by the first record.
type activityLog struct {
	queue     chan core.Activity
	dropped   atomic.Uint64
	disabled  bool
	retention time.Duration
	keep      int
	newID     core.IDGen

	mu      sync.Mutex
	started bool
	closed  bool
	stop    chan context.Context
	done    chan struct{}
}

func newActivityLog(cfg Config) *activityLog {
	l := &activityLog{
		disabled:  cfg.ActivityKeep < 0,
		retention: cfg.ActivityRetention,
		keep:      cfg.ActivityKeep,
		newID:     core.NewIDGen(cfg.Now, nil),
		stop:      make(chan context.Context, 1),
		done:      make(chan struct{}),
	}
	if l.retention <= 0 {
		l.retention = DefaultActivityRetention
	}
	if l.keep == 0 {
		l.keep = DefaultActivityKeep
	}
	q := cfg.ActivityQueue
	if q <= 0 {
		q = DefaultActivityQueue
	}
	if !l.disabled {
		l.queue = make(chan core.Activity, q)
	}
	return l
}

// ActivityEnabled reports whether SCIM requests are recorded (false when
// Config.ActivityKeep is negative), so the transport can skip capturing.
func (s *Service) ActivityEnabled() bool { return !s.activity.disabled }

// ActivityDropped returns how many activity records were lost since the
// Service was made: the queue was full, the Service was closed, or the
// write failed. It only grows; it is meant for metrics.
func (s *Service) ActivityDropped() uint64 { return s.activity.dropped.Load() }

// RecordActivity queues one SCIM request for the team's provisioning
// activity log. It never blocks: when the queue is full the record is
// dropped and counted (activity is diagnostics, not a durable record).
// Bodies must already be redacted. A record without a TeamID is ignored;
// ID and At are filled in when empty. Records are written in batches by a
// background goroutine, started by the first record and stopped by Close.
func (s *Service) RecordActivity(a core.Activity) {
	l := s.activity
	if l.disabled || a.TeamID == "" {
		return
	}
	if a.ID == "" {
		a.ID = l.newID()
	}
	if a.At.IsZero() {
		a.At = s.now()
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.dropped.Add(1)
		return
	}
	if !l.started {
		l.started = true
		go l.run(s.st, s.log, s.cfg.Now)
	}
	// The send happens under mu so that Close, once it holds mu, knows
	// that nothing more will be queued.
	select {
	case l.queue <- a:
	default:
		l.dropped.Add(1)
	}
	l.mu.Unlock()
}

// Close writes the queued activity records and stops the writer. It
// returns ctx's error when ctx ends first (the records still queued are
// then lost). Records made after Close are dropped. Close is idempotent.
func (s *Service) Close(ctx context.Context) error {
	l := s.activity
	l.mu.Lock()
	first := !l.closed
	l.closed = true
	started := l.started
	l.mu.Unlock()
	if !started {
		return nil
	}
	if first {
		l.stop <- ctx
	}
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the writer goroutine: it writes a batch when activityBatch
// records are queued or every activityFlushInterval, prunes periodically,
// and on stop writes what is queued and returns.
func (l *activityLog) run(st store.Store, log *slog.Logger, now core.Clock) {
	defer close(l.done)
	w := &activityWriter{l: l, st: st, log: log, now: now, teams: map[string]struct{}{}, allTeams: true}
	flush := time.NewTicker(activityFlushInterval)
	defer flush.Stop()
	prune := time.NewTicker(activityPruneInterval)
	defer prune.Stop()
	batch := make([]core.Activity, 0, activityBatch)
	write := func(ctx context.Context) {
		if len(batch) > 0 {
			w.write(ctx, batch)
			batch = batch[:0]
		}
	}
	for {
		select {
		case a := <-l.queue:
			batch = append(batch, a)
			if len(batch) >= activityBatch {
				write(context.Background())
			}
		case <-flush.C:
			write(context.Background())
		case <-prune.C:
			write(context.Background())
			w.prune(context.Background())
		case ctx := <-l.stop:
		drain:
			for {
				select {
				case a := <-l.queue:
					batch = append(batch, a)
					if len(batch) >= activityBatch {
						write(ctx)
					}
				default:
					break drain
				}
			}
			write(ctx)
			return
		}
	}
}

// activityWriter is the state of the writer goroutine.
type activityWriter struct {
	l         *activityLog
	st        store.Store
	log       *slog.Logger
	now       core.Clock
	teams     map[string]struct{} // teams with records since the last prune
	allTeams  bool                // the next prune covers every team
	lastFullP time.Time
}

// write stores a batch in one transaction; when that fails (say a team
// was deleted meanwhile) it tries each team's records on their own, so
// one team's failure loses only its records.
func (w *activityWriter) write(parent context.Context, batch []core.Activity) {
	for _, a := range batch {
		if len(w.teams) < maxActivityTeams {
			w.teams[a.TeamID] = struct{}{}
		}
	}
	if w.tx(parent, func(ctx context.Context, tx store.Tx) error { return tx.AppendActivity(ctx, batch) }) == nil {
		return
	}
	byTeam := map[string][]core.Activity{}
	for _, a := range batch {
		byTeam[a.TeamID] = append(byTeam[a.TeamID], a)
	}
	for _, as := range byTeam {
		err := w.tx(parent, func(ctx context.Context, tx store.Tx) error { return tx.AppendActivity(ctx, as) })
		if err != nil {
			w.l.dropped.Add(uint64(len(as)))
			w.log.LogAttrs(parent, slog.LevelWarn, "activity records not stored",
				slog.Int("records", len(as)), slog.String("err", err.Error()))
		}
	}
}

// prune deletes, for each team that recorded activity since the last
// prune (every team, once an hour), the records past the retention and
// beyond the newest keep.
func (w *activityWriter) prune(parent context.Context) {
	now := w.now()
	teams := w.teams
	w.teams = map[string]struct{}{}
	if w.allTeams || now.Sub(w.lastFullP) >= activityFullPruneInterval {
		ctx, cancel := context.WithTimeout(parent, activityWriteTimeout)
		all, err := w.st.Teams(ctx)
		cancel()
		if err != nil {
			w.log.LogAttrs(parent, slog.LevelWarn, "activity prune: listing teams failed", slog.String("err", err.Error()))
		} else {
			w.allTeams, w.lastFullP = false, now
			for _, t := range all {
				teams[t.ID] = struct{}{}
			}
		}
	}
	before := now.Add(-w.l.retention).UTC()
	for team := range teams {
		for {
			var n int
			err := w.tx(parent, func(ctx context.Context, tx store.Tx) error {
				var err error
				n, err = tx.PruneActivity(ctx, team, before, w.l.keep)
				return err
			})
			if err != nil {
				w.log.LogAttrs(parent, slog.LevelWarn, "activity prune failed",
					slog.String("team", team), slog.String("err", err.Error()))
				break
			}
			if n < activityPruneBatch {
				break
			}
		}
	}
}

// tx runs fn in one transaction bounded by activityWriteTimeout.
func (w *activityWriter) tx(parent context.Context, fn func(context.Context, store.Tx) error) error {
	ctx, cancel := context.WithTimeout(parent, activityWriteTimeout)
	defer cancel()
	return w.st.InTx(ctx, func(tx store.Tx) error { return fn(ctx, tx) })
}
