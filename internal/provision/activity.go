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
	// DefaultActivityReadSample is how many successful reads per second
	// and key are recorded in detail (see Config.ActivityReadSample).
	DefaultActivityReadSample = 5
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

// activityLog is the recorder of a Service: a bounded queue of detailed
// records, the per-minute traffic counts, the sampler of successful
// reads, and one writer goroutine, started by the first record or count.
type activityLog struct {
	queue     chan core.Activity
	dropped   atomic.Uint64
	disabled  bool
	retention time.Duration
	keep      int
	newID     core.IDGen
	reads     *readSampler // nil: every read is recorded in detail

	// traffic counts requests per team and minute until the writer takes
	// them (swapped out whole under tmu).
	tmu     sync.Mutex
	traffic map[trafficKey]*[2]int // requests, failures

	running atomic.Bool // the writer goroutine was started
	mu      sync.Mutex
	started bool
	closed  bool
	stop    chan context.Context
	done    chan struct{}
}

// trafficKey is one team's minute.
type trafficKey struct {
	team   string
	minute time.Time
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
		l.traffic = map[trafficKey]*[2]int{}
	}
	switch rate := cfg.ActivityReadSample; {
	case rate == 0:
		l.reads = newReadSampler(DefaultActivityReadSample)
	case rate > 0:
		l.reads = newReadSampler(rate)
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
//
// Every record is also counted in the team's per-minute traffic
// (CountActivity), which stays exact when a record is dropped.
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
	l.count(a.TeamID, a.At, a.Status)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.dropped.Add(1)
		return
	}
	s.startWriter()
	// The send happens under mu so that Close, once it holds mu, knows
	// that nothing more will be queued.
	select {
	case l.queue <- a:
	default:
		l.dropped.Add(1)
	}
	l.mu.Unlock()
}

// CountActivity counts one SCIM request of a team in its per-minute
// traffic (the dashboard's figures, store.AdminReader.ActivityCounts)
// without recording its details: the transport calls it for the
// successful reads that SampleActivity leaves out. It never blocks on the
// database; the counts are written with the next batch of records.
func (s *Service) CountActivity(teamID string, at time.Time, status int) {
	l := s.activity
	if l.disabled || teamID == "" {
		return
	}
	l.count(teamID, at, status)
	if !l.running.Load() {
		l.mu.Lock()
		if !l.closed {
			s.startWriter()
		}
		l.mu.Unlock()
	}
}

// SampleActivity reports whether a successful read (GET, HEAD, a
// .search) made with the key at time at is recorded in detail: at most
// Config.ActivityReadSample per second and key, in bursts of up to four
// times that. Writes and failures are always recorded; a read left out is
// counted with CountActivity. A Service configured with a negative
// ActivityReadSample records every read.
func (s *Service) SampleActivity(keyID string, at time.Time) bool {
	if s.activity.reads == nil {
		return true
	}
	return s.activity.reads.take(keyID, at)
}

// startWriter starts the writer goroutine once; l.mu must be held.
func (s *Service) startWriter() {
	l := s.activity
	if !l.started {
		l.started = true
		l.running.Store(true)
		go l.run(s.st, s.log, s.cfg.Now)
	}
}

// count adds a request to its team's minute.
func (l *activityLog) count(teamID string, at time.Time, status int) {
	k := trafficKey{teamID, at.UTC().Truncate(time.Minute)}
	l.tmu.Lock()
	c := l.traffic[k]
	if c == nil {
		c = new([2]int)
		l.traffic[k] = c
	}
	c[0]++
	if status >= 400 {
		c[1]++
	}
	l.tmu.Unlock()
}

// takeTraffic returns the counts since the last call.
func (l *activityLog) takeTraffic() []store.ActivityTraffic {
	l.tmu.Lock()
	if len(l.traffic) == 0 {
		l.tmu.Unlock()
		return nil
	}
	taken := l.traffic
	l.traffic = make(map[trafficKey]*[2]int, len(taken))
	l.tmu.Unlock()
	out := make([]store.ActivityTraffic, 0, len(taken))
	for k, c := range taken {
		out = append(out, store.ActivityTraffic{TeamID: k.team, Minute: k.minute, Requests: c[0], Failures: c[1]})
	}
	return out
}

// readSampler is a token bucket per API key: rate records per second,
// up to burst at once.
type readSampler struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*readBucket
}

type readBucket struct {
	tokens float64
	last   time.Time
}

// maxSampledKeys bounds the sampler's memory (it starts afresh when full).
const maxSampledKeys = 10_000

func newReadSampler(rate float64) *readSampler {
	return &readSampler{rate: rate, burst: 4 * rate, buckets: map[string]*readBucket{}}
}

func (r *readSampler) take(key string, at time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.buckets[key]
	if b == nil {
		if len(r.buckets) >= maxSampledKeys {
			clear(r.buckets)
		}
		b = &readBucket{tokens: r.burst, last: at}
		r.buckets[key] = b
	}
	if d := at.Sub(b.last); d > 0 {
		b.tokens = min(r.burst, b.tokens+d.Seconds()*r.rate)
		b.last = at
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
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
		traffic := l.takeTraffic()
		if len(batch) > 0 || len(traffic) > 0 {
			w.write(ctx, batch, traffic)
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

// write stores a batch and the traffic counts in one transaction; when
// that fails (say a team was deleted meanwhile) it writes the counts on
// their own and tries each team's records on their own, so one team's
// failure loses only its records.
func (w *activityWriter) write(parent context.Context, batch []core.Activity, traffic []store.ActivityTraffic) {
	for _, a := range batch {
		if len(w.teams) < maxActivityTeams {
			w.teams[a.TeamID] = struct{}{}
		}
	}
	for _, t := range traffic {
		if len(w.teams) < maxActivityTeams {
			w.teams[t.TeamID] = struct{}{}
		}
	}
	err := w.tx(parent, func(ctx context.Context, tx store.Tx) error {
		if len(traffic) > 0 {
			if err := tx.AddActivityTraffic(ctx, traffic); err != nil {
				return err
			}
		}
		if len(batch) == 0 {
			return nil
		}
		return tx.AppendActivity(ctx, batch)
	})
	if err == nil {
		return
	}
	if len(traffic) > 0 {
		if err := w.tx(parent, func(ctx context.Context, tx store.Tx) error { return tx.AddActivityTraffic(ctx, traffic) }); err != nil {
			w.log.LogAttrs(parent, slog.LevelWarn, "SCIM traffic counts not stored",
				slog.Int("minutes", len(traffic)), slog.String("err", err.Error()))
		}
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
