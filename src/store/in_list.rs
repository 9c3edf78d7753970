//! `column IN (…)` whose statement the connection can keep prepared. Diesel's `eq_any` on SQLite
//! writes one placeholder per value and marks the statement as never cached, so every batch had
//! SQLite parse and plan it again. This pads the list to the next power of two by repeating its last
//! value (a duplicate in `IN` changes nothing), so a connection holds at most a dozen shapes of a query.

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, Text};
use diesel::QueryResult;

/// `column IN (values…)`, padded; `values` must not be empty (an empty list matches nothing: ask no query).
#[derive(Debug, Clone, Copy)]
pub struct InPadded<'a, C> {
    column: C,
    values: &'a [&'a str],
}

/// `column IN (values…)` for a text column, padded to a power of two.
pub fn in_padded<'a, C>(column: C, values: &'a [&'a str]) -> InPadded<'a, C> {
    InPadded { column, values }
}

/// How many placeholders a list of `n` values is written with.
pub fn padded_len(n: usize) -> usize {
    n.max(1).next_power_of_two()
}

impl<C: Expression> Expression for InPadded<'_, C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for InPadded<'_, C> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for InPadded<'_, C> {
    type IsAggregate = C::IsAggregate;
}

impl<C> QueryId for InPadded<'_, C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, DB> QueryFragment<DB> for InPadded<'_, C>
where
    DB: Backend,
    C: QueryFragment<DB>,
    str: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let Some(last) = self.values.last() else {
            return Err(diesel::result::Error::QueryBuilderError("an IN list needs at least one value".into()));
        };
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for i in 0..padded_len(self.values.len()) {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Text, _>(*self.values.get(i).unwrap_or(last))?;
        }
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_padded_to_a_power_of_two() {
        assert_eq!([1, 2, 3, 4, 5, 60, 64, 65].map(padded_len), [1, 2, 4, 4, 8, 64, 64, 128]);
    }
}
